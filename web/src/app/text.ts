/** The shell's words: navigation, session, states every screen shares. */
export const text = {
  skip: 'Перейти к содержимому',
  brand: 'Motorlog',
  nav: {
    label: 'Разделы',
    board: 'Доска',
    newVisit: 'Новый визит',
    cashier: 'Касса',
    debtors: 'Должники',
    stock: 'Склад',
    planning: 'Планирование',
    myJobs: 'Мои работы',
    figures: 'Выработка',
  },
  logout: 'Выйти',
  roles: {
    owner: 'Владелец',
    advisor: 'Мастер-приёмщик',
    mechanic: 'Механик',
    cashier: 'Кассир',
    storekeeper: 'Кладовщик',
    auditor: 'Аудитор',
  } as Record<string, string>,
  loading: 'Загрузка…',
  notFound: 'Такой страницы нет.',
  forbidden: 'Этот раздел недоступен для вашей роли.',
  retry: 'Повторить',
} as const;
