/**
 * Выработка механиков: the owner's table of the three figures per mechanic and per day, week or
 * month of a chosen period (dates and grouping kept in the address), with their definitions under
 * it. Every number is the server's (`mechanicFigures`); the screen writes them out. For roles with
 * `reports.read` (the menu and the route say so).
 */
import { useSearchParams } from 'react-router';
import type { Granularity } from '../api/generated/graphql/graphql.ts';
import { formatDate } from '../format/dates.ts';
import { formatTenths, isoDate, parseIsoDate } from '../planning/logic.ts';
import { LoadError } from '../app/LoadError.tsx';
import { Definitions } from './Definitions.tsx';
import { formatBasisPoints, formatMinutes, monthOf, periodOfDates } from './logic.ts';
import { useMechanicFigures } from './queries.ts';
import { text } from './text.ts';

const GRANULARITIES: readonly Granularity[] = ['DAY', 'WEEK', 'MONTH'];

export function FiguresPage() {
  const [params, setParams] = useSearchParams();
  const month = monthOf(new Date());
  const from = params.get('from') ?? isoDate(month.first);
  const to = params.get('to') ?? isoDate(month.last);
  const asked = params.get('by');
  const granularity: Granularity = GRANULARITIES.find((g) => g === asked) ?? 'MONTH';
  const period = periodOfDates(from, to);
  const update = (change: Partial<{ from: string; to: string; by: Granularity }>) =>
    setParams({ from, to, by: granularity, ...change }, { replace: true });

  return (
    <div className="stack">
      <h1>{text.title}</h1>
      <p className="muted">{text.intro}</p>
      <div className="row" role="search">
        <div className={`field${period ? '' : ' field--invalid'}`}>
          <label htmlFor="figures-from">
            <span>{text.from}</span>
          </label>
          <input
            id="figures-from"
            type="date"
            value={from}
            aria-invalid={period ? undefined : true}
            aria-describedby={period ? undefined : 'figures-period-error'}
            onChange={(e) => update({ from: e.target.value })}
          />
        </div>
        <div className={`field${period ? '' : ' field--invalid'}`}>
          <label htmlFor="figures-to">
            <span>{text.to}</span>
          </label>
          <input
            id="figures-to"
            type="date"
            value={to}
            aria-invalid={period ? undefined : true}
            aria-describedby={period ? undefined : 'figures-period-error'}
            onChange={(e) => update({ to: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="figures-by">
            <span>{text.granularity}</span>
          </label>
          <select id="figures-by" value={granularity} onChange={(e) => update({ by: e.target.value as Granularity })}>
            {GRANULARITIES.map((g) => (
              <option key={g} value={g}>
                {text.granularities[g]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {!period && (
        <p className="error" id="figures-period-error" role="alert">
          {text.periodInvalid}
        </p>
      )}
      <Table period={period} granularity={granularity} />
      <Definitions />
    </div>
  );
}

function Table({ period, granularity }: { period: { from: string; to: string } | null; granularity: Granularity }) {
  const figures = useMechanicFigures(period, granularity);
  const rows = figures.data?.mechanicFigures ?? [];
  const c = text.columns;
  return (
    <section className="card stack" aria-labelledby="figures-caption">
      <h2 id="figures-caption" className="visually-hidden">
        {text.caption}
      </h2>
      {period === null ? null : figures.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : figures.isError ? (
        <LoadError error={figures.error} retry={() => void figures.refetch()} />
      ) : rows.length === 0 ? (
        <p className="muted">{text.empty}</p>
      ) : (
        <div className="stock-scroll">
          <table className="table">
            <caption className="visually-hidden">{text.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{c.mechanic}</th>
                <th scope="col">{c.starts}</th>
                <th scope="col" className="num">
                  {c.lines}
                </th>
                <th scope="col" className="num">
                  {c.output}
                </th>
                <th scope="col" className="num">
                  {c.outputClocked}
                </th>
                <th scope="col" className="num">
                  {c.efficiency}
                </th>
                <th scope="col" className="num">
                  {c.jobs}
                </th>
                <th scope="col" className="num">
                  {c.shift}
                </th>
                <th scope="col" className="num">
                  {c.productivity}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.starts}:${row.mechanicId ?? '-'}`}>
                  <th scope="row">{row.employee?.fullName ?? text.nobody}</th>
                  <td>{formatDate(parseIsoDate(row.starts))}</td>
                  <td className="num">{row.finishedLines}</td>
                  <td className="num">{formatTenths(row.outputTenths)}</td>
                  <td className="num">{formatMinutes(row.outputClockedMinutes)}</td>
                  <td className="num">{formatBasisPoints(row.efficiencyBasisPoints)}</td>
                  <td className="num">{formatMinutes(row.jobMinutes)}</td>
                  <td className="num">{formatMinutes(row.shiftMinutes)}</td>
                  <td className="num">{formatBasisPoints(row.productivityBasisPoints)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
