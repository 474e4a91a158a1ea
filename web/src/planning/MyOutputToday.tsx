/**
 * «Моя выработка сегодня» on the mechanic's own screen: today's выработка, efficiency and
 * productivity as the server computed them (`mechanicFigures` for the signed-in mechanic and the
 * shop's day), refreshed with the queue after every clock command, with what each figure means.
 */
import { useState } from 'react';
import { dayRange } from '../format/dates.ts';
import { formatBasisPoints, formatMinutes } from '../figures/logic.ts';
import { useMyFigures } from '../figures/queries.ts';
import { text as figures } from '../figures/text.ts';
import { formatTenths } from './logic.ts';
import { LoadError } from '../app/LoadError.tsx';
import '../figures/figures.css';

const t = figures.my;

export function MyOutputToday({ employeeId }: { employeeId: string | undefined }) {
  const [day] = useState(() => dayRange(new Date()));
  const mine = useMyFigures(employeeId, day);
  const today = mine.data?.mechanicFigures[0];
  return (
    <section className="card stack my-output" aria-labelledby="my-output-title">
      <h2 id="my-output-title">{t.title}</h2>
      {mine.isPending ? (
        <p className="muted" role="status">
          {figures.loading}
        </p>
      ) : mine.isError ? (
        <LoadError error={mine.error} retry={() => void mine.refetch()} />
      ) : !today ? (
        <p className="muted">{t.none}</p>
      ) : (
        <dl className="my-output__figures">
          <div>
            <dt>{t.output}</dt>
            <dd>
              <span>{t.hours(formatTenths(today.outputTenths))}</span>
              <span className="muted"> · {t.lines(today.finishedLines)}</span>
            </dd>
          </div>
          <div>
            <dt>{t.efficiency}</dt>
            <dd>{formatBasisPoints(today.efficiencyBasisPoints)}</dd>
          </div>
          <div>
            <dt>{t.productivity}</dt>
            <dd>
              <span>{formatBasisPoints(today.productivityBasisPoints)}</span>
              <span className="muted"> · {t.onJobs(formatMinutes(today.jobMinutes), formatMinutes(today.shiftMinutes))}</span>
            </dd>
          </div>
        </dl>
      )}
      <details className="my-output__how">
        <summary>{figures.definitions}</summary>
        <dl className="figures-definitions">
          {(['output', 'efficiency', 'productivity'] as const).map((key) => (
            <div key={key}>
              <dt>{figures.defined[key][0]}</dt>
              <dd>{figures.defined[key][1]}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}
