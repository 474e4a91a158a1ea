/**
 * Отчёты: the owner's reports for a period (a preset or dates by hand, kept in the address with the
 * revenue's grouping and the aging's date): revenue by day, week or month with a chart, the average
 * repair order, cars handed over, recommendations sold later, mechanics' sold norm-hours, the best
 * services and parts, and receivables by age. Every number is the API's; charts plot those numbers
 * and each table exports to CSV and Excel as shown.
 */
import { useSearchParams } from 'react-router';
import type { Granularity } from '../api/generated/graphql/graphql.ts';
import { can, useMe } from '../auth/me.ts';
import { periodOfDates } from '../figures/logic.ts';
import { isoDate, parseIsoDate } from '../planning/logic.ts';
import { endOfDay, PRESETS, presetDates, presetOf, type Preset } from './period.ts';
import {
  useEmployeeNames,
  useMechanicProductivity,
  usePeriodSummary,
  useReceivablesAging,
  useRevenue,
  useTopItems,
  type Period,
} from './queries.ts';
import { displayCell } from './table.ts';
import {
  agingTable,
  averageTable,
  carsTable,
  conversionTable,
  mechanicsTable,
  topTable,
  revenueTable,
  type Dates,
} from './tables.ts';
import { text } from './text.ts';
import { axisMoney, axisNumber, BarChartView, ReportSection, type ChartPoint } from './ui.tsx';
import './reports.css';

const GRANULARITIES: readonly Granularity[] = ['DAY', 'WEEK', 'MONTH'];

const monthLabel = new Intl.DateTimeFormat('ru-RU', { month: 'short', year: 'numeric' });
const dayLabel = new Intl.DateTimeFormat('ru-RU', { day: '2-digit', month: '2-digit' });

/** A revenue bucket's label on the chart: «05.12» for a day or a week (its Monday), «дек. 2026 г.». */
function bucketLabel(starts: string, granularity: Granularity): string {
  const day = parseIsoDate(starts);
  if (!day) return starts;
  return granularity === 'MONTH' ? monthLabel.format(day) : dayLabel.format(day);
}

export function ReportsScreen() {
  const [params, setParams] = useSearchParams();
  const today = new Date();
  const preset = presetOf(params.get('preset'));
  const chosen =
    preset === 'custom'
      ? { from: params.get('from') ?? presetDates('month', today).from, to: params.get('to') ?? presetDates('month', today).to }
      : presetDates(preset, today);
  const asked = params.get('by');
  const granularity: Granularity = GRANULARITIES.find((g) => g === asked) ?? 'DAY';
  const asOfDate = params.get('asOf') ?? isoDate(today);
  const period = periodOfDates(chosen.from, chosen.to);

  const update = (change: Record<string, string>) => {
    const next: Record<string, string> = { preset, by: granularity, asOf: asOfDate, ...change };
    if ((next.preset ?? preset) === 'custom') {
      next.from = change.from ?? chosen.from;
      next.to = change.to ?? chosen.to;
    }
    setParams(next, { replace: true });
  };

  return (
    <div className="stack">
      <h1>{text.title}</h1>
      <p className="muted">{text.intro}</p>
      <div className="row" role="search">
        <div className="field">
          <label htmlFor="reports-preset">
            <span>{text.period}</span>
          </label>
          <select id="reports-preset" value={preset} onChange={(e) => update({ preset: e.target.value as Preset })}>
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {text.presets[p]}
              </option>
            ))}
          </select>
        </div>
        {(['from', 'to'] as const).map((end) => (
          <div key={end} className={`field${period ? '' : ' field--invalid'}`}>
            <label htmlFor={`reports-${end}`}>
              <span>{text[end]}</span>
            </label>
            <input
              id={`reports-${end}`}
              type="date"
              value={chosen[end]}
              aria-invalid={period ? undefined : true}
              aria-describedby={period ? undefined : 'reports-period-error'}
              onChange={(e) => update({ preset: 'custom', [end]: e.target.value })}
            />
          </div>
        ))}
        <div className="field">
          <label htmlFor="reports-by">
            <span>{text.granularity}</span>
          </label>
          <select id="reports-by" value={granularity} onChange={(e) => update({ by: e.target.value })}>
            {GRANULARITIES.map((g) => (
              <option key={g} value={g}>
                {text.granularities[g]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {!period && (
        <p className="error" id="reports-period-error" role="alert">
          {text.periodInvalid}
        </p>
      )}
      {period && (
        <>
          <Revenue period={period} dates={chosen} granularity={granularity} />
          <Summary period={period} dates={chosen} />
          <Mechanics period={period} dates={chosen} />
          <Top period={period} dates={chosen} kind="SERVICE" />
          <Top period={period} dates={chosen} kind="PART" />
        </>
      )}
      <Aging asOfDate={asOfDate} onChange={(asOf) => update({ asOf })} />
    </div>
  );
}

interface ForPeriod {
  period: Period;
  dates: Dates;
}

function Revenue({ period, dates, granularity }: ForPeriod & { granularity: Granularity }) {
  const revenue = useRevenue(period, granularity);
  const rows = revenue.data?.revenue;
  const table = rows ? revenueTable(rows, dates, granularity) : null;
  const points: ChartPoint[] = (rows ?? []).map((r) => ({
    label: bucketLabel(r.starts, granularity),
    value: Number(r.revenue),
    shown: displayCell('money', r.revenue),
  }));
  return (
    <ReportSection
      title={text.revenue.title}
      hint={text.revenue.hint}
      state={revenue}
      table={table}
      chart={(tableId) => (
        <BarChartView title={text.revenue.title} series={text.revenue.series} points={points} tableId={tableId} tick={axisMoney} />
      )}
    />
  );
}

/** The period's single figures: the average repair order, the cars, the recommendations. */
function Summary({ period, dates }: ForPeriod) {
  const summary = usePeriodSummary(period);
  const data = summary.data;
  return (
    <div className="reports-summary">
      <ReportSection title={text.average.title} state={summary} table={data ? averageTable(data.averageRepairOrder, dates) : null} />
      <ReportSection
        title={text.cars.title}
        hint={text.cars.hint}
        state={summary}
        table={data ? carsTable(data.carCount, dates) : null}
      />
      <ReportSection
        title={text.conversion.title}
        hint={text.conversion.hint}
        state={summary}
        table={data ? conversionTable(data.recommendationConversion, dates) : null}
      />
    </div>
  );
}

function Mechanics({ period, dates }: ForPeriod) {
  const me = useMe();
  const output = useMechanicProductivity(period);
  const names = useEmployeeNames(can(me.data?.me, 'staff.read'));
  const rows = output.data?.mechanicProductivity;
  const table = rows ? mechanicsTable(rows, names.data, dates) : null;
  const points: ChartPoint[] = (table?.rows ?? []).map((row, i) => ({
    label: String(row[0]),
    value: (rows?.[i]?.normHoursTenths ?? 0) / 10,
    shown: displayCell('tenths', rows?.[i]?.normHoursTenths ?? 0),
  }));
  return (
    <ReportSection
      title={text.mechanics.title}
      hint={text.mechanics.hint}
      state={output}
      table={table}
      chart={(tableId) => (
        <BarChartView
          title={text.mechanics.title}
          series={text.mechanics.series}
          points={points}
          tableId={tableId}
          tick={axisNumber}
          layout="rows"
        />
      )}
    />
  );
}

function Top({ period, dates, kind }: ForPeriod & { kind: 'SERVICE' | 'PART' }) {
  const top = useTopItems(period, kind);
  const words = kind === 'SERVICE' ? text.topServices : text.topParts;
  const rows = top.data?.topItems;
  const points: ChartPoint[] = (rows ?? []).map((r) => ({
    label: r.description,
    value: Number(r.amount),
    shown: displayCell('money', r.amount),
  }));
  return (
    <ReportSection
      title={words.title}
      state={top}
      table={rows ? topTable(rows, kind, dates) : null}
      chart={(tableId) => (
        <BarChartView title={words.title} series={words.series} points={points} tableId={tableId} tick={axisMoney} layout="rows" />
      )}
    />
  );
}

function Aging({ asOfDate, onChange }: { asOfDate: string; onChange: (asOf: string) => void }) {
  const asOf = endOfDay(asOfDate);
  const aging = useReceivablesAging(asOf);
  const rows = aging.data?.receivablesAging;
  const table = rows ? agingTable(rows, asOfDate) : null;
  const points: ChartPoint[] = (rows ?? []).map((r) => ({
    label: text.aging.ages[r.age] ?? r.age,
    value: Number(r.owed),
    shown: displayCell('money', r.owed),
  }));
  return (
    <ReportSection
      title={text.aging.title}
      hint={text.aging.hint}
      state={aging}
      table={table}
      idle={asOf === null}
      empty={text.aging.empty}
      controls={
        <div className="row">
          <div className={`field${asOf ? '' : ' field--invalid'}`}>
            <label htmlFor="reports-as-of">
              <span>{text.aging.asOf}</span>
            </label>
            <input
              id="reports-as-of"
              type="date"
              value={asOfDate}
              aria-invalid={asOf ? undefined : true}
              aria-describedby={asOf ? undefined : 'reports-as-of-error'}
              onChange={(e) => onChange(e.target.value)}
            />
          </div>
          {!asOf && (
            <p className="error" id="reports-as-of-error" role="alert">
              {text.aging.asOfInvalid}
            </p>
          )}
        </div>
      }
      chart={(tableId) => (
        <BarChartView title={text.aging.title} series={text.aging.series} points={points} tableId={tableId} tick={axisMoney} />
      )}
    />
  );
}
