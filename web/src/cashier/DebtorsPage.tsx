/** Должники (being built). */
export function DebtorsPage() {
  return <h1>Должники</h1>;
}
