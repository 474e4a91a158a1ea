/** Заказ-наряд (being built). */
export function OrderCardPage() {
  return <h1>Заказ-наряд</h1>;
}
