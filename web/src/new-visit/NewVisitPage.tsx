/** Новый визит (being built). */
export function NewVisitPage() {
  return <h1>Новый визит</h1>;
}
