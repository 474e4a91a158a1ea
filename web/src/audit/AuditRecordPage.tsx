/**
 * One record's history for the auditor: every event of its log (who, when, the request it came
 * from, what happened in Russian) and the record as it was after the chosen event: a work order's
 * lines and totals, a client's standing and consents, a vehicle's plate, mileage and owners, an
 * invoice's payments and balance, each as the domain folded it then ([`StateAt`]; the screen only
 * writes them out). The instant is chosen by a slider over the events, a date and time, or an
 * event of the timeline, and kept in the address (`?v=3`). Nothing here changes anything.
 */
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { LoadError } from '../app/LoadError.tsx';
import { formatDateTime, fromLocalInput, toLocalInput } from '../format/dates.ts';
import { chosenVersion, KINDS, versionAt } from './logic.ts';
import { type HistoryEntry, useHistory } from './queries.ts';
import { hasStatePanel, StateAt } from './StateAt.tsx';
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
  const travels = hasStatePanel(kind);
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
              <StateAt kind={kind} id={id} version={version} />
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

/** Every event, oldest first; each opens the record's state after it. */
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
