/**
 * The pieces every report shares: a section with its title, its state (loading, refused, empty),
 * an optional chart, the table and the export buttons. The table is the chart's text alternative:
 * the chart's figure names it with `aria-describedby`, and both show the same API numbers.
 */
import { useId, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { LoadError } from '../app/LoadError.tsx';
import { CSV_TYPE, toCsv, toXlsx } from './export.ts';
import { displayCell, isNumeric, type ReportTable } from './table.ts';
import { text } from './text.ts';

/** A query's state, as the sections need it. */
export interface Loaded {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  refetch: () => unknown;
}

/** Offers a file to save, under its name (a link with `download`: no new tab, no navigation). */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; the URL is dropped a little later.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function ExportButtons({ table }: { table: ReportTable }) {
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const xlsx = async () => {
    setBusy(true);
    setFailed(false);
    try {
      save(await toXlsx(table), `${table.file}.xlsx`);
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row reports-export">
      <button
        type="button"
        className="button button--small"
        aria-label={text.exportLabel(table.title, 'CSV')}
        onClick={() => save(new Blob([toCsv(table)], { type: CSV_TYPE }), `${table.file}.csv`)}
      >
        {text.exportCsv}
      </button>
      <button
        type="button"
        className="button button--small"
        aria-label={text.exportLabel(table.title, 'Excel')}
        disabled={busy}
        onClick={() => void xlsx()}
      >
        {text.exportXlsx}
      </button>
      {failed && (
        <p className="error" role="alert">
          {text.exportFailed}
        </p>
      )}
    </div>
  );
}

export function TableView({ table, id }: { table: ReportTable; id?: string }) {
  return (
    <div className="stock-scroll">
      <table className="table" id={id}>
        <caption className="visually-hidden">{table.title}</caption>
        <thead>
          <tr>
            {table.columns.map((column, i) => (
              <th key={i} scope="col" className={isNumeric(column.kind) ? 'num' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={r}>
              {table.columns.map((column, i) => {
                const shown = displayCell(column.kind, row[i] ?? null);
                // A row is named by its first cell when that is a name or a date, not a figure.
                return i === 0 && !isNumeric(column.kind) ? (
                  <th key={i} scope="row">
                    {shown}
                  </th>
                ) : (
                  <td key={i} className={isNumeric(column.kind) ? 'num' : undefined}>
                    {shown}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A chart's bar: its label, the API's number plotted, and the number as the table writes it. */
export interface ChartPoint {
  label: string;
  value: number;
  shown: string;
}

const compact = new Intl.NumberFormat('ru-RU', { notation: 'compact', maximumFractionDigits: 1 });

/** An axis tick in Russian: «12,5 тыс. ₽», «1,2 млн ₽». */
export function axisMoney(value: number): string {
  return `${compact.format(value)} ₽`;
}

/** An axis tick in Russian without a unit: «1,5», «12 тыс.». */
export function axisNumber(value: number): string {
  return compact.format(value);
}

/**
 * A bar chart of one series. `columns` puts periods along the bottom; `rows` puts long names
 * (services, parts, mechanics) down the side.
 */
export function BarChartView({
  title,
  series,
  points,
  tableId,
  tick,
  layout = 'columns',
}: {
  title: string;
  series: string;
  points: ChartPoint[];
  tableId: string;
  tick: (value: number) => string;
  layout?: 'columns' | 'rows';
}) {
  const captionId = useId();
  const rows = layout === 'rows';
  const height = rows ? Math.max(160, 40 * points.length + 60) : 280;
  return (
    <figure className="reports-chart" aria-labelledby={captionId} aria-describedby={tableId}>
      <figcaption id={captionId} className="visually-hidden">
        {text.chartAlt(title)}
      </figcaption>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={points} layout={rows ? 'vertical' : 'horizontal'} margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d6dae0" />
          {rows ? (
            <>
              <XAxis type="number" tickFormatter={tick} stroke="#59636e" />
              <YAxis type="category" dataKey="label" width={220} stroke="#59636e" />
            </>
          ) : (
            <>
              <XAxis dataKey="label" stroke="#59636e" />
              <YAxis tickFormatter={tick} width={96} stroke="#59636e" />
            </>
          )}
          <Tooltip
            formatter={(_value, _name, item) => [(item.payload as ChartPoint).shown, series]}
            cursor={{ fill: '#eef2f7' }}
          />
          <Bar dataKey="value" name={series} fill="#0b5cad" maxBarSize={56} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** A report's section: title, hint, state, then the chart (when there are rows), table and exports. */
export function ReportSection({
  title,
  hint,
  state,
  table,
  chart,
  controls,
  idle = false,
  empty = text.empty,
}: {
  title: string;
  hint?: string;
  state: Loaded;
  table: ReportTable | null;
  chart?: (tableId: string) => ReactNode;
  controls?: ReactNode;
  /** Nothing to ask yet (the controls say why): no state shown. */
  idle?: boolean;
  /** What an empty answer means for this report. */
  empty?: string;
}) {
  const headingId = useId();
  const tableId = useId();
  return (
    <section className="card stack reports-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {hint && <p className="muted">{hint}</p>}
      {controls}
      {idle ? null : state.isError && state.error ? (
        <LoadError error={state.error} retry={() => void state.refetch()} />
      ) : state.isPending || table === null ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : table.rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <>
          {chart?.(tableId)}
          <TableView table={table} id={tableId} />
          <ExportButtons table={table} />
        </>
      )}
    </section>
  );
}
