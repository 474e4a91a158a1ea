/** Every word the board says. */
export const text = {
  title: 'Доска заказов',
  loading: 'Загружаем доску…',
  refreshing: 'Обновляем…',
  empty: 'Пусто',
  closedToday: 'Выдан сегодня',
  noMechanic: 'Без механика',
  views: {
    label: 'Вид доски',
    byStatus: 'По статусам',
    byMechanic: 'По механикам',
  },
  filters: {
    label: 'Фильтры доски',
    mechanic: 'Механик',
    anyMechanic: 'Все механики',
    day: 'Открыт в день',
    status: 'Статус',
    anyStatus: 'Все статусы',
    reset: 'Сбросить фильтры',
  },
  tile: {
    order: (number: string) => `Заказ-наряд № ${number}`,
    pending: (n: number) => `Ждёт согласования: ${n} ${lines(n)}`,
    toPay: (amount: string) => `К оплате: ${amount}`,
    promised: 'Срок',
    late: 'просрочен',
    total: 'Итого',
    noPromise: 'срок не назначен',
    mechanics: 'Механики',
  },
  count: (n: number) => `${n} ${orders(n)}`,
  more: 'Показаны первые 200 заказов: уточните фильтры, чтобы увидеть остальные.',
  conflict: 'Заказ изменил другой сотрудник — данные обновлены',
  moved: (number: string, column: string) => `Заказ № ${number}: ${column}`,
};

function plural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

function lines(n: number): string {
  return plural(n, 'строка', 'строки', 'строк');
}

function orders(n: number): string {
  return plural(n, 'заказ', 'заказа', 'заказов');
}

export { plural };
