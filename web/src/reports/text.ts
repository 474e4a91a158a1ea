/** The owner's reports, in Russian. */
export const text = {
  title: 'Отчёты',
  intro:
    'Выручка, средний чек, машины, выработка механиков, лучшие услуги и запчасти, долги и возврат рекомендаций за выбранный период (дни — по календарю сервиса). Каждую таблицу можно выгрузить в CSV или Excel.',
  period: 'Период',
  presets: {
    month: 'Этот месяц',
    lastMonth: 'Прошлый месяц',
    quarter: 'Этот квартал',
    year: 'Этот год',
    custom: 'Свои даты',
  },
  from: 'С',
  to: 'По (включительно)',
  granularity: 'Выручка',
  granularities: { DAY: 'По дням', WEEK: 'По неделям', MONTH: 'По месяцам' },
  periodInvalid: 'Укажите период: дата окончания не раньше даты начала.',
  loading: 'Загружаем…',
  empty: 'За этот период данных нет.',
  exportCsv: 'CSV',
  exportXlsx: 'Excel',
  exportLabel: (what: string, format: string) => `Выгрузить «${what}» в ${format}`,
  exportFailed: 'Не удалось подготовить файл.',
  chartAlt: (what: string) => `${what}: диаграмма. Те же числа — в таблице под ней.`,
  revenue: {
    title: 'Выручка по периодам',
    hint: 'Счета, выставленные в периоде и не аннулированные.',
    columns: { starts: 'Период с', invoices: 'Счетов', revenue: 'Выручка' },
    series: 'Выручка',
  },
  average: {
    title: 'Средний чек',
    columns: { invoices: 'Счетов', revenue: 'Выручка', average: 'Средний чек' },
  },
  cars: {
    title: 'Машины',
    hint: 'Заказ-наряды, закрытые в периоде (машина выдана), и разные автомобили среди них.',
    columns: { orders: 'Закрыто заказ-нарядов', cars: 'Автомобилей' },
  },
  mechanics: {
    title: 'Выработка механиков по счетам',
    hint: 'Нормо-часы работ в счетах периода, по механику работы. Подробнее — в разделе «Выработка».',
    columns: { mechanic: 'Механик', lines: 'Работ', normHours: 'Нормо-часы', amount: 'Сумма' },
    series: 'Нормо-часы',
    nobody: 'Без механика',
    unnamed: (id: string) => `Механик …${id.slice(-6)}`,
  },
  topServices: {
    title: 'Лучшие услуги',
    columns: { description: 'Услуга', lines: 'Строк', quantity: 'Нормо-часы', amount: 'Сумма' },
    series: 'Сумма',
  },
  topParts: {
    title: 'Лучшие запчасти',
    columns: { description: 'Запчасть', lines: 'Строк', quantity: 'Количество', amount: 'Сумма' },
    series: 'Сумма',
  },
  aging: {
    title: 'Дебиторская задолженность',
    hint: 'Что должны по счетам на конец выбранного дня, по давности счёта.',
    asOf: 'На конец дня',
    asOfInvalid: 'Укажите дату.',
    empty: 'На конец этого дня долгов по счетам нет.',
    columns: { age: 'Давность счёта', invoices: 'Счетов', owed: 'Долг' },
    ages: { '0-30': 'до 30 дней', '31-60': '31–60 дней', '61-90': '61–90 дней', '90+': 'больше 90 дней' } as Record<
      string,
      string
    >,
    series: 'Долг',
  },
  conversion: {
    title: 'Возврат рекомендаций',
    hint: 'Рекомендации периода и те из них, что потом сделали на другом заказ-наряде той же машины.',
    columns: { recommendations: 'Рекомендаций', converted: 'Сделано позже', rate: 'Конверсия' },
  },
} as const;
