/** Касса (being built). */
export function CashierPage() {
  return <h1>Касса</h1>;
}
