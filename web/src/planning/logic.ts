/**
 * The planning screens' rules as plain functions: the week and its days in the shop's time zone
 * (the browser's), the planner's rows and cells from the server's day plans, where each
 * appointment lands, what a drop on a cell means as a new time, which buttons an appointment and a
 * job offer, the booking form's works as a command body, and the mechanic's clocked time.
 *
 * Every load figure is the server's (`capacity`): this module only lays them out and compares the
 * figures the server sent; the command API decides whether a booking fits.
 */
import type { AppointmentStatus, BayKind } from '../api/generated/graphql/graphql.ts';

// ——— Days and weeks (local dates: the browser's time zone is the shop's) ———

const pad = (n: number) => String(n).padStart(2, '0');

/** A local date as the API's `NaiveDate` («2026-12-07»). */
export function isoDate(day: Date): string {
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** «2026-12-07» as local midnight, or null when it is not a date. */
export function parseIsoDate(value: string | null | undefined): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  if (!match) return null;
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return isoDate(day) === value ? day : null;
}

export function addDays(day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + days);
}

/** The Monday of the week a day is in (the shop's week starts on Monday). */
export function mondayOf(day: Date): Date {
  const back = (day.getDay() + 6) % 7;
  return addDays(new Date(day.getFullYear(), day.getMonth(), day.getDate()), -back);
}

/** The seven dates of the week starting on `monday`. */
export function weekDates(monday: Date): string[] {
  return Array.from({ length: 7 }, (_, i) => isoDate(addDays(monday, i)));
}

/**
 * What the planner asks for a period of local dates: `capacity` takes both ends included,
 * `appointments` the instants from the first day's midnight to the midnight after the last day.
 */
export function periodOf(dates: readonly string[]): { from: string; to: string; start: string; end: string } {
  const first = dates[0] ?? '';
  const last = dates[dates.length - 1] ?? first;
  const start = parseIsoDate(first) ?? new Date(NaN);
  const end = addDays(parseIsoDate(last) ?? new Date(NaN), 1);
  return { from: first, to: last, start: start.toISOString(), end: end.toISOString() };
}

/** The local date an instant falls on. */
export function dateOf(instant: string): string {
  return isoDate(new Date(instant));
}

/** The local hour an instant falls in. */
export function hourOf(instant: string): number {
  return new Date(instant).getHours();
}

// ——— Norm-hours ———

/** Tenths of a norm-hour as the shop writes them: 15 → «1,5», 20 → «2», 0 → «0». */
export function formatTenths(tenths: number): string {
  const sign = tenths < 0 ? '−' : '';
  const abs = Math.abs(tenths);
  const whole = Math.trunc(abs / 10);
  const rest = abs % 10;
  return `${sign}${whole}${rest === 0 ? '' : `,${rest}`}`;
}

/** A catalogue entry's norm-hours as the query API sends them («1.5», «0.50», «2») in tenths. */
export function decimalToTenths(normHours: string): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(normHours.trim());
  if (!match) return null;
  const fraction = (match[2] ?? '').padEnd(2, '0');
  // Hundredths past the tenth would be lost: such an entry is not a whole number of tenths.
  if (fraction.slice(1).replace(/0/g, '') !== '') return null;
  return Number(match[1]) * 10 + Number(fraction[0]);
}

// ——— The planner's grid ———

/** One mechanic's, one bay kind's or the shop's figures for one day, as the server computed them. */
export interface Load {
  capacityTenths: number;
  carryoverTenths: number;
  bookedTenths: number;
  freeTenths: number;
  overloaded: boolean;
}

export interface DayPlanLike {
  date: string;
  closed: boolean;
  overloaded: boolean;
  mechanics: readonly {
    employeeId: string;
    capacityTenths: number;
    carryoverTenths: number;
    bookedTenths: number;
    freeTenths: number;
    overloaded: boolean;
    employee?: { fullName: string } | null;
  }[];
  bays: readonly {
    kind: BayKind;
    capacityTenths: number;
    bookedTenths: number;
    freeTenths: number;
    overloaded: boolean;
  }[];
  totals: { capacityTenths: number; carryoverTenths: number; bookedTenths: number; freeTenths: number };
}

/** The bay kinds in the order the planner lists them. */
export const BAY_KINDS: readonly BayKind[] = ['LIFT', 'ALIGNMENT', 'DIAGNOSTICS', 'TYRE', 'WASH', 'GENERAL'];

/** The row of appointments booked without a mechanic. */
export const NO_MECHANIC = '-';

export type PlanRow =
  | { key: string; kind: 'mechanic'; mechanicId: string; name: string; cells: (Load | null)[] }
  | { key: string; kind: 'unassigned'; mechanicId: null; cells: (Load | null)[] }
  | { key: string; kind: 'bay'; bayKind: BayKind; cells: (Load | null)[] }
  | { key: string; kind: 'total'; cells: (Load | null)[] };

export const mechanicRowKey = (mechanicId: string | null) => `m:${mechanicId ?? NO_MECHANIC}`;

/**
 * The planner's rows for the dates shown: every mechanic the plans name (by name), the row of
 * appointments without a mechanic when there are any, every bay kind the plans name, and the shop
 * as a whole. A cell is null where the server sent no figures for that day.
 */
export function buildRows(
  dates: readonly string[],
  plans: readonly DayPlanLike[],
  appointments: readonly { mechanicId?: string | null }[] = [],
): PlanRow[] {
  const byDate = new Map(plans.map((plan) => [plan.date, plan]));
  const names = new Map<string, string>();
  const kinds = new Set<BayKind>();
  for (const plan of plans) {
    for (const m of plan.mechanics) if (!names.has(m.employeeId) || m.employee) names.set(m.employeeId, m.employee?.fullName ?? '');
    for (const b of plan.bays) kinds.add(b.kind);
  }
  const mechanics = [...names.entries()].sort(([ida, a], [idb, b]) => a.localeCompare(b, 'ru') || ida.localeCompare(idb));
  const rows: PlanRow[] = mechanics.map(([mechanicId, name]) => ({
    key: mechanicRowKey(mechanicId),
    kind: 'mechanic',
    mechanicId,
    name,
    cells: dates.map((date) => {
      const m = byDate.get(date)?.mechanics.find((x) => x.employeeId === mechanicId);
      return m ? pickLoad(m) : null;
    }),
  }));
  if (appointments.some((a) => a.mechanicId == null)) {
    rows.push({ key: mechanicRowKey(null), kind: 'unassigned', mechanicId: null, cells: dates.map(() => null) });
  }
  for (const bayKind of BAY_KINDS.filter((k) => kinds.has(k))) {
    rows.push({
      key: `b:${bayKind}`,
      kind: 'bay',
      bayKind,
      cells: dates.map((date) => {
        const b = byDate.get(date)?.bays.find((x) => x.kind === bayKind);
        return b ? pickLoad({ ...b, carryoverTenths: 0 }) : null;
      }),
    });
  }
  rows.push({
    key: 'total',
    kind: 'total',
    cells: dates.map((date) => {
      const plan = byDate.get(date);
      if (!plan) return null;
      const t = plan.totals;
      return {
        capacityTenths: t.capacityTenths,
        carryoverTenths: t.carryoverTenths,
        bookedTenths: t.bookedTenths,
        freeTenths: t.freeTenths,
        overloaded: t.carryoverTenths + t.bookedTenths > t.capacityTenths,
      };
    }),
  });
  return rows;
}

function pickLoad(load: Load): Load {
  return {
    capacityTenths: load.capacityTenths,
    carryoverTenths: load.carryoverTenths,
    bookedTenths: load.bookedTenths,
    freeTenths: load.freeTenths,
    overloaded: load.overloaded,
  };
}

export type LoadLevel = 'none' | 'free' | 'busy' | 'over';

/**
 * How a cell is drawn: `over` when the server says it is overloaded, `busy` from 80 % of its
 * capacity, `none` when the day has no capacity and nothing planned; the bar's share is capped at 1.
 */
export function loadLevel(load: Load): { used: number; share: number; level: LoadLevel } {
  const used = load.carryoverTenths + load.bookedTenths;
  const share = load.capacityTenths > 0 ? Math.min(1, used / load.capacityTenths) : used > 0 ? 1 : 0;
  if (load.overloaded) return { used, share, level: 'over' };
  if (load.capacityTenths === 0 && used === 0) return { used, share, level: 'none' };
  return { used, share, level: used * 5 >= load.capacityTenths * 4 ? 'busy' : 'free' };
}

export interface Placed {
  id: string;
  wantedAt: string;
  mechanicId?: string | null;
}

/** The key of a planner cell: a row and a day (and, in the day view, an hour). */
export const cellKey = (rowKey: string, date: string, hour: number | null = null) =>
  hour === null ? `${rowKey}|${date}` : `${rowKey}|${date}|${hour}`;

/**
 * Each appointment in its mechanic's row (or the row without a mechanic) on its local day, by
 * time; in the day view (`byHour`) in its hour's cell too.
 */
export function placeAppointments<A extends Placed>(appointments: readonly A[], byHour = false): Map<string, A[]> {
  const cells = new Map<string, A[]>();
  const sorted = [...appointments].sort((a, b) => a.wantedAt.localeCompare(b.wantedAt) || a.id.localeCompare(b.id));
  for (const appointment of sorted) {
    const key = cellKey(
      mechanicRowKey(appointment.mechanicId ?? null),
      dateOf(appointment.wantedAt),
      byHour ? hourOf(appointment.wantedAt) : null,
    );
    const list = cells.get(key);
    if (list) list.push(appointment);
    else cells.set(key, [appointment]);
  }
  return cells;
}

/** The day view's hours: the shop's usual day, stretched to any appointment outside it. */
export function dayHours(appointments: readonly { wantedAt: string }[], first = 8, last = 19): number[] {
  let from = first;
  let to = last;
  for (const a of appointments) {
    const hour = hourOf(a.wantedAt);
    from = Math.min(from, hour);
    to = Math.max(to, hour);
  }
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// ——— Moving an appointment ———

/** Where an appointment was dropped: a day, an hour (the day view) and a mechanic's row. */
export interface DropTarget {
  date: string;
  hour: number | null;
  mechanicId: string | null;
}

/**
 * The new time of an appointment dropped on a cell: the same time of day on the new date, or the
 * hour dropped on (on the hour) in the day view. Null when the date is not one.
 */
export function movedWantedAt(wantedAt: string, target: DropTarget): string | null {
  const day = parseIsoDate(target.date);
  if (!day) return null;
  const was = new Date(wantedAt);
  const hours = target.hour ?? was.getHours();
  const minutes = target.hour === null ? was.getMinutes() : 0;
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), hours, minutes).toISOString();
}

/** A bay kind as the command API writes it (`LIFT` → `lift`). */
export type BayKindCode = 'lift' | 'alignment' | 'diagnostics' | 'tyre' | 'wash' | 'general';
export function bayKindCode(kind: BayKind | null | undefined): BayKindCode | null {
  return kind ? (kind.toLowerCase() as BayKindCode) : null;
}

/**
 * The `reschedule` body for a new slot. The command sets the whole slot, so the bay kind and
 * the mechanic are always sent: an omitted one would be cleared.
 */
export function rescheduleBody(
  appointment: { bayKind?: BayKind | null },
  wantedAt: string,
  mechanicId: string | null,
  overloadReason: string | null = null,
): { wanted_at: string; bay_kind: BayKindCode | null; mechanic_id: string | null; overload_reason?: string } {
  const body: { wanted_at: string; bay_kind: BayKindCode | null; mechanic_id: string | null; overload_reason?: string } = {
    wanted_at: wantedAt,
    bay_kind: bayKindCode(appointment.bayKind),
    mechanic_id: mechanicId,
  };
  if (overloadReason !== null) body.overload_reason = overloadReason;
  return body;
}

/** Whether a drop moves anything: another time or another mechanic. */
export function isMove(appointment: { wantedAt: string; mechanicId?: string | null }, wantedAt: string, mechanicId: string | null): boolean {
  return new Date(appointment.wantedAt).getTime() !== new Date(wantedAt).getTime() || (appointment.mechanicId ?? null) !== mechanicId;
}

/**
 * What the user may do with an appointment: a booked one moves, is cancelled, or is marked missed
 * once its time has come (`due`; before it the client is not late yet); a car booked, or marked
 * missed and turning up late, arrives (which opens its work order: `work_order.open` too).
 */
export function appointmentActions(
  status: AppointmentStatus,
  permissions: readonly string[],
  due: boolean,
): { move: boolean; cancel: boolean; missed: boolean; arrive: boolean } {
  const mayBook = permissions.includes('appointment.book');
  const book = status === 'BOOKED' && mayBook;
  const arrive = (status === 'BOOKED' || status === 'MISSED') && mayBook && permissions.includes('work_order.open');
  return { move: book, cancel: book, missed: book && due, arrive };
}

// ——— Booking ———

/** A work on the booking form as typed: a catalogue entry or free text, with norm-hours. */
export interface WorkDraft {
  key: string;
  source: 'catalogue' | 'free';
  serviceId: string;
  name: string;
  /** Norm-hours as typed («1,5»); empty for a catalogue entry means the catalogue's. */
  hours: string;
}

export interface CatalogueLike {
  id: string;
  name: string;
  normHours: string;
}

export type PlannedWorkBody = { catalogue_service_id: string | null; name: string | null; norm_hours_tenths: number | null };

/** Norm-hours typed («1,5», «2») as tenths, or null. */
export function parseTenths(typed: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d))?$/.exec(typed.trim());
  if (!match) return null;
  return Number(match[1]) * 10 + Number(match[2] ?? '0');
}

/**
 * The works as the `book` command takes them, what they need of the day in tenths, and what is
 * wrong with each (by its key): a catalogue entry not chosen, a free work without a name, norm-hours
 * that are not a number above zero.
 */
export function plannedWorks(
  works: readonly WorkDraft[],
  catalogue: readonly CatalogueLike[],
): { body: PlannedWorkBody[]; tenths: number; errors: Record<string, 'service' | 'name' | 'hours'> } {
  const body: PlannedWorkBody[] = [];
  const errors: Record<string, 'service' | 'name' | 'hours'> = {};
  let tenths = 0;
  for (const work of works) {
    const typed = work.hours.trim() === '' ? null : parseTenths(work.hours);
    if (work.hours.trim() !== '' && (typed === null || typed === 0)) {
      errors[work.key] = 'hours';
      continue;
    }
    if (work.source === 'catalogue') {
      const entry = catalogue.find((c) => c.id === work.serviceId);
      if (!entry) {
        errors[work.key] = 'service';
        continue;
      }
      const hours = typed ?? decimalToTenths(entry.normHours);
      if (hours === null || hours === 0) {
        errors[work.key] = 'hours';
        continue;
      }
      tenths += hours;
      body.push({ catalogue_service_id: entry.id, name: null, norm_hours_tenths: typed });
    } else {
      if (work.name.trim() === '') {
        errors[work.key] = 'name';
        continue;
      }
      if (typed === null) {
        errors[work.key] = 'hours';
        continue;
      }
      tenths += typed;
      body.push({ catalogue_service_id: null, name: work.name.trim(), norm_hours_tenths: typed });
    }
  }
  return { body, tenths, errors };
}

/**
 * What the chosen day has free for a booking, by the server's figures: the least of the shop's,
 * the planned mechanic's and the asked bay kind's (a kind the shop has no bay of has none), and
 * which of them is the limit.
 */
export function freeFor(
  plan: DayPlanLike,
  mechanicId: string | null,
  bayKind: BayKind | null,
): { freeTenths: number; limit: 'shop' | 'mechanic' | 'bay' } {
  let freeTenths = plan.totals.freeTenths;
  let limit: 'shop' | 'mechanic' | 'bay' = 'shop';
  if (mechanicId) {
    const m = plan.mechanics.find((x) => x.employeeId === mechanicId);
    const free = m?.freeTenths ?? 0;
    if (free < freeTenths) {
      freeTenths = free;
      limit = 'mechanic';
    }
  }
  if (bayKind) {
    const b = plan.bays.find((x) => x.kind === bayKind);
    const free = b?.freeTenths ?? 0;
    if (free < freeTenths) {
      freeTenths = free;
      limit = 'bay';
    }
  }
  return { freeTenths, limit };
}

// ——— The mechanic's clock ———

export interface JobLike {
  workOrderId: string;
  lineId: string;
  running: boolean;
  paused: boolean;
}

export type JobAction = 'start' | 'pause' | 'resume' | 'finish';

/**
 * A job's buttons: the running one pauses or finishes, a paused one resumes or finishes, one not
 * on the clock starts (which pauses the running one, server side). Off shift nothing runs.
 */
export function jobActions(job: JobLike, onShift: boolean): JobAction[] {
  if (!onShift) return [];
  if (job.running) return ['pause', 'finish'];
  if (job.paused) return ['resume', 'finish'];
  return ['start'];
}

/**
 * Seconds on a job as it ticks: what the server counted for its ended stretches, plus the running
 * stretch from its start (`runningSince`) to `now`. The server's count is never redone here.
 */
export function jobSeconds(job: { clockedSeconds: number; runningSince?: string | null }, now: Date): number {
  const running = job.runningSince ? Math.max(0, now.getTime() - new Date(job.runningSince).getTime()) : 0;
  return job.clockedSeconds + Math.floor(running / 1000);
}

/** A duration as a clock: «0:07:05», «12:00:00». */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
