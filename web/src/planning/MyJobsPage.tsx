/**
 * Мои работы: the mechanic's own screen, for a tablet on the shop floor (touch targets of 56 px).
 * The shift clock (clock in, clock out, on shift since), then the labour lines assigned to them on
 * open orders in the server's order (the earliest promised first), each with the buttons its clock
 * allows: Начать, Пауза, Продолжить, Завершить. Starting another job pauses the running one on the
 * server; after every command the screen reads the queue again and shows what the server holds,
 * never what it guessed. The running job's time ticks on screen: the server's seconds for its ended
 * stretches, plus the running one from when the server says it started.
 */
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { send } from '../api/commands.ts';
import type { MyJobsQuery } from '../api/generated/graphql/graphql.ts';
import { query } from '../api/graphql.ts';
import { can, useMe } from '../auth/me.ts';
import { formatWhen } from '../format/dates.ts';
import { formatPlate } from '../format/vehicle.ts';
import { formatElapsed, formatTenths, jobActions, jobSeconds, type JobAction } from './logic.ts';
import { MyOutputToday } from './MyOutputToday.tsx';
import { MyJobsDocument } from './queries.ts';
import { text } from './text.ts';
import { messageOf } from './ui.tsx';
import { LoadError } from '../app/LoadError.tsx';

const t = text.myJobs;
type Job = MyJobsQuery['mechanicQueue']['jobs'][number];

const COMMAND: Record<JobAction, 'start_job' | 'pause_job' | 'resume_job' | 'finish_job'> = {
  start: 'start_job',
  pause: 'pause_job',
  resume: 'resume_job',
  finish: 'finish_job',
};

/** Now, once a second while something ticks. */
function useNow(ticking: boolean): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!ticking) return;
    const timer = window.setInterval(() => setNow(new Date()), 1000);
    return () => window.clearInterval(timer);
  }, [ticking]);
  return now;
}

export function MyJobsPage() {
  const me = useMe().data?.me;
  const client = useQueryClient();
  const variables = { withVehicle: can(me, 'vehicle.read') };
  const queue = useQuery({
    queryKey: ['my-jobs', variables],
    queryFn: () => query(MyJobsDocument, variables),
    enabled: me !== undefined,
    placeholderData: keepPreviousData,
    // An advisor may assign a job or move the clock for the mechanic: the tablet follows.
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState('');

  const data = queue.data;
  const clock = data?.mechanicQueue.clock;
  const onShift = clock?.onShiftSince != null;
  const now = useNow(clock?.running != null);

  /** Sends one clock command for the signed-in mechanic, then reads the server's state again. */
  async function act(what: string, run: (employeeId: string) => Promise<unknown>) {
    if (!me || busy) return;
    setBusy(true);
    setError(null);
    setDone('');
    try {
      await run(me.employeeId);
      await client.invalidateQueries({ queryKey: ['my-jobs'] });
      setDone(t.done[what] ?? '');
    } catch (caught) {
      setError(messageOf(caught));
      void queue.refetch();
    } finally {
      setBusy(false);
    }
  }

  function jobAction(job: Job, action: JobAction) {
    void act(action, (employeeId) =>
      send('timesheet', employeeId, COMMAND[action], { work_order_id: job.workOrderId, line_id: job.lineId }),
    );
  }

  return (
    <div className="stack my-jobs">
      <h1>{t.title}</h1>
      <section className="card my-jobs__shift" aria-labelledby="my-jobs-shift">
        <h2 id="my-jobs-shift" className="visually-hidden">
          {t.shift}
        </h2>
        <p>
          {clock == null ? text.loading : onShift ? t.onShiftSince(formatWhen(clock.onShiftSince)) : t.offShift}
        </p>
        {clock != null &&
          (onShift ? (
            <button type="button" className="button" disabled={busy} onClick={() => void act('clock_out', (id) => send('timesheet', id, 'clock_out', {}))}>
              {t.clockOut}
            </button>
          ) : (
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => void act('clock_in', (id) => send('timesheet', id, 'clock_in', {}))}
            >
              {t.clockIn}
            </button>
          ))}
      </section>
      <p className={done ? 'success' : 'visually-hidden'} role="status">
        {done}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <MyOutputToday employeeId={me?.employeeId} />
      <section className="stack" aria-labelledby="my-jobs-today">
        <h2 id="my-jobs-today">{t.today}</h2>
        {queue.isPending ? (
          <p className="muted" role="status">
            {text.loading}
          </p>
        ) : queue.isError ? (
          <LoadError error={queue.error} retry={() => void queue.refetch()} />
        ) : data && data.mechanicQueue.jobs.length === 0 ? (
          <p className="muted">{t.empty}</p>
        ) : (
          <>
            {!onShift && <p className="notice">{t.offShiftHint}</p>}
            <ol className="my-jobs__list">
              {data?.mechanicQueue.jobs.map((job) => (
                <JobCard
                  key={`${job.workOrderId}:${job.lineId}`}
                  job={job}
                  seconds={job.running || job.paused ? jobSeconds(job, now) : null}
                  actions={jobActions(job, onShift)}
                  busy={busy}
                  onAction={(action) => jobAction(job, action)}
                />
              ))}
            </ol>
          </>
        )}
      </section>
    </div>
  );
}

function JobCard({
  job,
  seconds,
  actions,
  busy,
  onAction,
}: {
  job: Job;
  seconds: number | null;
  actions: JobAction[];
  busy: boolean;
  onAction: (action: JobAction) => void;
}) {
  const state = job.running ? t.running : job.paused ? t.paused : job.progress === 'started' ? t.started : t.notStarted;
  const car = job.vehicle ? `${formatPlate(job.vehicle.plate ?? job.vehicle.vin ?? '')} ${job.vehicle.make} ${job.vehicle.model}` : '';
  return (
    <li className={`my-job${job.running ? ' my-job--running' : ''}${job.paused ? ' my-job--paused' : ''}`}>
      <div className="my-job__head">
        <p className="my-job__title">
          {job.description}
        </p>
        <span className={`badge${job.running ? ' badge--ok' : job.paused ? ' badge--warning' : ''}`}>{state}</span>
      </div>
      <p className="my-job__car">
        {t.order(job.number)}
        {car && ` · ${car}`} · {t.hours(formatTenths(job.normHoursTenths))}
        {job.promisedAt && ` · ${t.promised(formatWhen(job.promisedAt))}`}
      </p>
      {seconds !== null && (
        <p className="my-job__timer" role={job.running ? 'timer' : undefined} aria-live="off">
          {t.elapsed(formatElapsed(seconds))}
        </p>
      )}
      {actions.length > 0 && (
        <div className="my-job__actions">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              className={`button${action === 'start' || action === 'resume' ? ' button--primary' : ''}`}
              disabled={busy}
              aria-label={t.actionLabel(t.actions[action], `${job.description}, ${t.order(job.number)}`)}
              onClick={() => onAction(action)}
            >
              {t.actions[action]}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}
