/**
 * One record's history for the auditor: every event of its log (who, when, the request it came
 * from, what happened in Russian) and, for a work order, the card as it was after the chosen
 * event: its lines, status and the totals the domain computed then (`workOrderAt`; the screen only
 * writes them out). The instant is chosen by a slider over the events, a date and time, or an
 * event of the timeline, and kept in the address (`?v=3`). Nothing here changes anything.
 */
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { AuditWorkOrderAtQuery } from '../api/generated/graphql/graphql.ts';
import { LoadError } from '../app/LoadError.tsx';
import { formatDateTime, fromLocalInput, toLocalInput } from '../format/dates.ts';
import { formatMoney, formatPercentBp } from '../format/money.ts';
import { STATUS_LABEL, type Status } from '../work-order/lifecycle.ts';
import { chosenVersion, formatAmountOf, KINDS, versionAt } from './logic.ts';
import { type HistoryEntry, useHistory, useWorkOrderAt } from './queries.ts';
import { text } from './text.ts';
import './audit.css';

export function AuditRecordPage() {
  const { kind = '', id = '' } = useParams();
  const recordKind = KINDS[kind];
  const [params, setParams] = useSearchParams();
  const history = useHistory(recordKind, id);
  const events = history.data ?? [];
  const last = events.at(-1)?.version ?? 0;
  const version = chosenVersion(params.get('v'), last);
  const travels = kind === 'work_order';
  const choose = (v: number) => setParams({ v: String(v) }, { replace: true });

  if (recordKind === undefined) {
    return (
      <p className="page-status" role="alert">
        {text.unknownKind}
      </p>
    );
  }
  return (
    <div className="stack audit">
      <div>
        <Link to="/audit">{text.back}</Link>
      </div>
      <h1>{text.recordTitle(text.kinds[kind] ?? kind)}</h1>
      {history.isPending ? (
        <p className="muted" role="status">
          {text.loading}
        </p>
      ) : history.isError ? (
        <LoadError error={history.error} retry={() => void history.refetch()} />
      ) : events.length === 0 ? (
        <p className="muted">{text.timeline.empty}</p>
      ) : (
        <div className={travels ? 'audit-columns' : 'stack'}>
          {travels && version !== null && (
            <div className="stack">
              <Travel events={events} version={version} choose={choose} />
              <OrderState id={id} version={version} />
            </div>
          )}
          <Timeline events={events} version={travels ? version : null} />
        </div>
      )}
    </div>
  );
}

/** The slider over the events and the date-time picker: two ways to choose the same instant. */
function Travel({ events, version, choose }: { events: HistoryEntry[]; version: number; choose: (v: number) => void }) {
  const t = text.travel;
  const last = events.at(-1)?.version ?? 1;
  const current = events.find((e) => e.version === version);
  const [before, setBefore] = useState(false);
  return (
    <section className="card stack" aria-labelledby="audit-travel">
      <h2 id="audit-travel">{t.title}</h2>
      <div className="field">
        <label htmlFor="audit-slider">
          <span>{t.slider}</span>
        </label>
        <input
          id="audit-slider"
          className="audit-slider"
          type="range"
          min={1}
          max={last}
          step={1}
          value={version}
          aria-valuetext={t.sliderValue(version, last, current?.summary ?? '')}
          onChange={(e) => {
            setBefore(false);
            choose(Number(e.target.value));
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-instant">
          <span>{t.instant}</span>
        </label>
        <input
          id="audit-instant"
          type="datetime-local"
          value={toLocalInput(current?.at)}
          aria-describedby="audit-instant-hint"
          onChange={(e) => {
            const instant = fromLocalInput(e.target.value);
            if (instant === null) return;
            // A minute's input means up to its last second: the events of that minute are in.
            const end = new Date(new Date(instant).getTime() + 59_999).toISOString();
            const v = versionAt(events, end);
            setBefore(v === null);
            if (v !== null) choose(v);
          }}
        />
        <small id="audit-instant-hint" className="muted">
          {t.instantHint}
        </small>
      </div>
      <p role="status" aria-live="polite" className={before ? 'notice' : undefined}>
        {before ? t.before : current ? t.after(version, formatDateTime(current.at)) : ''}
      </p>
    </section>
  );
}

type OrderAt = NonNullable<AuditWorkOrderAtQuery['workOrderAt']>;

function OrderState({ id, version }: { id: string; version: number }) {
  const at = useWorkOrderAt(id, version);
  const s = text.state;
  if (at.isPending) {
    return (
      <p className="muted" role="status">
        {text.loading}
      </p>
    );
  }
  if (at.isError) return <LoadError error={at.error} retry={() => void at.refetch()} />;
  const order = at.data.workOrderAt;
  if (!order) return <p className="muted">{text.travel.before}</p>;
  return (
    <section className="card stack" aria-labelledby="audit-state" aria-busy={at.isFetching}>
      <h2 id="audit-state">{s.title(order.number)}</h2>
      <dl className="audit-facts">
        <dt>{s.status}</dt>
        <dd data-testid="audit-status">{STATUS_LABEL[order.status as Status] ?? order.status}</dd>
        {order.mileageKm != null && (
          <>
            <dt>{s.mileage}</dt>
            <dd>{s.km(order.mileageKm)}</dd>
          </>
        )}
        {order.complaints && (
          <>
            <dt>{s.complaints}</dt>
            <dd>{order.complaints}</dd>
          </>
        )}
        {order.promisedAt && (
          <>
            <dt>{s.promised}</dt>
            <dd>{formatDateTime(order.promisedAt)}</dd>
          </>
        )}
      </dl>
      <Lines order={order} />
      <h3 id="audit-totals">{s.totals}</h3>
      <dl className="audit-totals" aria-labelledby="audit-totals" data-testid="audit-totals">
        <div>
          <dt>{s.labour}</dt>
          <dd>{formatMoney(order.totals.labour)}</dd>
        </div>
        <div>
          <dt>{s.parts}</dt>
          <dd>{formatMoney(order.totals.parts)}</dd>
        </div>
        <div>
          <dt>{s.discountTotal}</dt>
          <dd>{formatMoney(order.totals.discount)}</dd>
        </div>
        <div>
          <dt>{s.total}</dt>
          <dd data-testid="audit-total">{formatMoney(order.totals.total)}</dd>
        </div>
        <div>
          <dt>{s.vat(formatPercentBp(order.totals.vatRateBp))}</dt>
          <dd>{formatMoney(order.totals.vat)}</dd>
        </div>
      </dl>
    </section>
  );
}

function Lines({ order }: { order: OrderAt }) {
  const s = text.state;
  const c = s.columns;
  if (order.lines.length === 0) return <p className="muted">{s.noLines}</p>;
  return (
    <div className="stock-scroll">
      <table className="table">
        <caption className="visually-hidden">{s.linesCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{c.what}</th>
            <th scope="col">{c.kind}</th>
            <th scope="col" className="num">
              {c.qty}
            </th>
            <th scope="col" className="num">
              {c.price}
            </th>
            <th scope="col" className="num">
              {c.discount}
            </th>
            <th scope="col" className="num">
              {c.amount}
            </th>
            <th scope="col">{c.approval}</th>
            <th scope="col">{c.progress}</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.id}>
              <th scope="row">
                {line.description}
                {line.partNumber && <span className="muted"> · {line.partNumber}</span>}
              </th>
              <td>{s.kinds[line.kind] ?? line.kind}</td>
              <td className="num">{formatAmountOf(line.quantity)}</td>
              <td className="num">{formatMoney(line.unitPrice)}</td>
              <td className="num">{line.discountBp > 0 ? `${formatPercentBp(line.discountBp)} · ${formatMoney(line.discount)}` : '—'}</td>
              <td className="num">{formatMoney(line.amount)}</td>
              <td>
                {s.approval[line.approval] ?? line.approval}
                {line.approvedAt && (
                  <span className="muted">
                    {' '}
                    ({[line.approvedBy, line.approvalChannel && s.channels[line.approvalChannel], formatDateTime(line.approvedAt)]
                      .filter(Boolean)
                      .join(', ')}
                    )
                  </span>
                )}
              </td>
              <td>{line.progress ? (s.progress[line.progress] ?? line.progress) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every event, oldest first; for a work order each opens the state after it. */
function Timeline({ events, version }: { events: HistoryEntry[]; version: number | null }) {
  const t = text.timeline;
  return (
    <section className="card stack" aria-labelledby="audit-timeline">
      <h2 id="audit-timeline">{t.title}</h2>
      <ol className="audit-timeline" tabIndex={0} aria-labelledby="audit-timeline">
        {events.map((event) => {
          const current = event.version === version;
          return (
            <li
              key={event.version}
              className={`audit-event${current ? ' audit-event--current' : ''}`}
              aria-current={current ? 'step' : undefined}
            >
              <span className="audit-event__meta">
                <span>{t.version(event.version)}</span>
                <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                <span>{event.actorName ?? (event.actor.startsWith('system:') ? t.system : event.actor)}</span>
                {current && <span className="badge badge--ok">{t.current}</span>}
              </span>
              {version === null || current ? (
                <span>{event.summary}</span>
              ) : (
                <Link to={`?v=${event.version}`} replace aria-label={`${event.summary}. ${t.show(event.version)}`}>
                  {event.summary}
                </Link>
              )}
              <span className="audit-event__meta">
                <span>
                  {t.correlation}: <span className="audit-event__id">{event.correlationId}</span>
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
