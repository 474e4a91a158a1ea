/**
 * Each report's answer as a table (`table.ts`): its columns, in the order the screen and the files
 * show them, and the API's values unchanged. File names carry the period so two exports of
 * different months do not overwrite each other in Downloads.
 */
import type {
  MechanicProductivityQuery,
  PeriodSummaryQuery,
  ReceivablesAgingQuery,
  RevenueReportQuery,
  TopItemsQuery,
} from '../api/generated/graphql/graphql.ts';
import type { ReportTable } from './table.ts';
import { text } from './text.ts';

/** The local dates a table covers, for its file name. */
export interface Dates {
  from: string;
  to: string;
}

const span = (dates: Dates) => `${dates.from}_${dates.to}`;

export function revenueTable(rows: RevenueReportQuery['revenue'], dates: Dates, by: string): ReportTable {
  const c = text.revenue.columns;
  return {
    title: text.revenue.title,
    file: `revenue-${by.toLowerCase()}_${span(dates)}`,
    columns: [
      { header: c.starts, kind: 'date' },
      { header: c.invoices, kind: 'count' },
      { header: c.revenue, kind: 'money' },
    ],
    rows: rows.map((r) => [r.starts, r.invoices, r.revenue]),
  };
}

export function averageTable(a: PeriodSummaryQuery['averageRepairOrder'], dates: Dates): ReportTable {
  const c = text.average.columns;
  return {
    title: text.average.title,
    file: `average-repair-order_${span(dates)}`,
    columns: [
      { header: c.invoices, kind: 'count' },
      { header: c.revenue, kind: 'money' },
      { header: c.average, kind: 'money' },
    ],
    rows: [[a.invoices, a.revenue, a.average]],
  };
}

export function carsTable(cars: PeriodSummaryQuery['carCount'], dates: Dates): ReportTable {
  const c = text.cars.columns;
  return {
    title: text.cars.title,
    file: `car-count_${span(dates)}`,
    columns: [
      { header: c.orders, kind: 'count' },
      { header: c.cars, kind: 'count' },
    ],
    rows: [[cars.orders, cars.cars]],
  };
}

export function conversionTable(r: PeriodSummaryQuery['recommendationConversion'], dates: Dates): ReportTable {
  const c = text.conversion.columns;
  return {
    title: text.conversion.title,
    file: `recommendation-conversion_${span(dates)}`,
    columns: [
      { header: c.recommendations, kind: 'count' },
      { header: c.converted, kind: 'count' },
      { header: c.rate, kind: 'basisPoints' },
    ],
    rows: [[r.recommendations, r.converted, r.rateBasisPoints]],
  };
}

/** A mechanic's name by id; a short id when the names are not known to this viewer. */
export function mechanicName(id: string | null | undefined, names: ReadonlyMap<string, string> | undefined): string {
  if (id == null) return text.mechanics.nobody;
  return names?.get(id) ?? text.mechanics.unnamed(id);
}

export function mechanicsTable(
  rows: MechanicProductivityQuery['mechanicProductivity'],
  names: ReadonlyMap<string, string> | undefined,
  dates: Dates,
): ReportTable {
  const c = text.mechanics.columns;
  return {
    title: text.mechanics.title,
    file: `mechanic-productivity_${span(dates)}`,
    columns: [
      { header: c.mechanic, kind: 'text' },
      { header: c.lines, kind: 'count' },
      { header: c.normHours, kind: 'tenths' },
      { header: c.amount, kind: 'money' },
    ],
    rows: rows.map((r) => [mechanicName(r.mechanicId, names), r.lines, r.normHoursTenths, r.amount]),
  };
}

export function topTable(rows: TopItemsQuery['topItems'], kind: 'SERVICE' | 'PART', dates: Dates): ReportTable {
  const words = kind === 'SERVICE' ? text.topServices : text.topParts;
  const c = words.columns;
  return {
    title: words.title,
    file: `top-${kind === 'SERVICE' ? 'services' : 'parts'}_${span(dates)}`,
    columns: [
      { header: c.description, kind: 'text' },
      { header: c.lines, kind: 'count' },
      // Services sell tenths of a norm-hour, parts thousandths of a unit (the API's `quantity`).
      { header: c.quantity, kind: kind === 'SERVICE' ? 'tenths' : 'thousandths' },
      { header: c.amount, kind: 'money' },
    ],
    rows: rows.map((r) => [r.description, r.lines, r.quantity, r.amount]),
  };
}

export function agingTable(rows: ReceivablesAgingQuery['receivablesAging'], asOf: string): ReportTable {
  const c = text.aging.columns;
  return {
    title: text.aging.title,
    file: `receivables-aging_${asOf}`,
    columns: [
      { header: c.age, kind: 'text' },
      { header: c.invoices, kind: 'count' },
      { header: c.owed, kind: 'money' },
    ],
    rows: rows.map((r) => [text.aging.ages[r.age] ?? r.age, r.invoices, r.owed]),
  };
}
