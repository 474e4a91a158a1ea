/** Доска (being built). */
export function BoardPage() {
  return <h1>Доска</h1>;
}
