import { describe, expect, it } from 'vitest';
import {
  appointmentActions,
  buildRows,
  cellKey,
  jobSeconds,
  dayHours,
  decimalToTenths,
  formatElapsed,
  formatTenths,
  freeFor,
  isMove,
  isoDate,
  jobActions,
  loadLevel,
  mechanicRowKey,
  mondayOf,
  movedWantedAt,
  parseIsoDate,
  parseTenths,
  periodOf,
  placeAppointments,
  plannedWorks,
  rescheduleBody,
  weekDates,
  type DayPlanLike,
  type WorkDraft,
} from './logic.ts';

/** A local instant as ISO, whatever the machine's time zone. */
const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min).toISOString();

const mechanic = (employeeId: string, fullName: string, capacityTenths: number, bookedTenths: number, overloaded = false) => ({
  employeeId,
  capacityTenths,
  carryoverTenths: 0,
  bookedTenths,
  freeTenths: Math.max(0, capacityTenths - bookedTenths),
  overloaded,
  employee: { fullName },
});

function plan(date: string, extra: Partial<DayPlanLike> = {}): DayPlanLike {
  return {
    date,
    closed: false,
    overloaded: false,
    mechanics: [mechanic('m-2', 'Сидоров Пётр', 68, 20), mechanic('m-1', 'Абрамов Олег', 68, 0)],
    bays: [
      { kind: 'TYRE', capacityTenths: 85, bookedTenths: 0, freeTenths: 85, overloaded: false },
      { kind: 'LIFT', capacityTenths: 170, bookedTenths: 20, freeTenths: 150, overloaded: false },
    ],
    totals: { capacityTenths: 136, carryoverTenths: 5, bookedTenths: 20, freeTenths: 111 },
    ...extra,
  };
}

describe('days and weeks', () => {
  it('starts the week on Monday, whatever the day', () => {
    expect(isoDate(mondayOf(new Date(2026, 11, 5)))).toBe('2026-11-30'); // a Saturday
    expect(isoDate(mondayOf(new Date(2026, 11, 6, 23, 59)))).toBe('2026-11-30'); // Sunday night
    expect(isoDate(mondayOf(new Date(2026, 11, 7)))).toBe('2026-12-07'); // Monday itself
  });

  it('lists seven dates across a month and a year end', () => {
    expect(weekDates(new Date(2026, 11, 28))).toEqual([
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
    ]);
  });

  it('parses only real dates', () => {
    expect(parseIsoDate('2026-02-29')).toBeNull();
    expect(parseIsoDate('2026-13-01')).toBeNull();
    expect(parseIsoDate('07.12.2026')).toBeNull();
    expect(parseIsoDate(null)).toBeNull();
    expect(isoDate(parseIsoDate('2028-02-29') ?? new Date(0))).toBe('2028-02-29');
  });

  it('asks for the capacity of the days and the appointments from midnight to midnight', () => {
    const dates = weekDates(new Date(2026, 11, 7));
    expect(periodOf(dates)).toEqual({
      from: '2026-12-07',
      to: '2026-12-13',
      start: local(2026, 12, 7),
      end: local(2026, 12, 14),
    });
  });
});

describe('norm-hours', () => {
  it('writes tenths the shop way', () => {
    expect(formatTenths(15)).toBe('1,5');
    expect(formatTenths(20)).toBe('2');
    expect(formatTenths(0)).toBe('0');
    expect(formatTenths(-5)).toBe('−0,5');
  });

  it('reads the catalogue decimals and refuses what is not whole tenths', () => {
    expect(decimalToTenths('1.5')).toBe(15);
    expect(decimalToTenths('0.50')).toBe(5);
    expect(decimalToTenths('2')).toBe(20);
    expect(decimalToTenths('1.25')).toBeNull();
    expect(decimalToTenths('abc')).toBeNull();
  });

  it('reads typed norm-hours', () => {
    expect(parseTenths('1,5')).toBe(15);
    expect(parseTenths(' 2 ')).toBe(20);
    expect(parseTenths('0.3')).toBe(3);
    expect(parseTenths('1,55')).toBeNull();
    expect(parseTenths('-1')).toBeNull();
  });
});

describe('the planner grid', () => {
  const dates = ['2026-12-07', '2026-12-08'];

  it('has a row per mechanic by name, the bay kinds in their order and the shop', () => {
    const rows = buildRows(dates, [plan('2026-12-07'), plan('2026-12-08')]);
    expect(rows.map((r) => r.key)).toEqual([mechanicRowKey('m-1'), mechanicRowKey('m-2'), 'b:LIFT', 'b:TYRE', 'total']);
    const sidorov = rows[1];
    expect(sidorov?.kind === 'mechanic' && sidorov.name).toBe('Сидоров Пётр');
    expect(sidorov?.cells[0]).toEqual({ capacityTenths: 68, carryoverTenths: 0, bookedTenths: 20, freeTenths: 48, overloaded: false });
  });

  it('leaves a cell empty where the server sent no figures for the day', () => {
    const rows = buildRows(dates, [plan('2026-12-07')]);
    expect(rows[0]?.cells).toHaveLength(2);
    expect(rows[0]?.cells[1]).toBeNull();
    expect(rows.at(-1)?.cells[1]).toBeNull();
  });

  it('adds the row without a mechanic only when an appointment has none', () => {
    const plans = [plan('2026-12-07')];
    expect(buildRows(dates, plans, [{ mechanicId: 'm-1' }]).some((r) => r.kind === 'unassigned')).toBe(false);
    expect(buildRows(dates, plans, [{ mechanicId: null }]).some((r) => r.kind === 'unassigned')).toBe(true);
  });

  it('marks the shop overloaded when carryover and bookings pass its capacity', () => {
    const over = plan('2026-12-07', { totals: { capacityTenths: 68, carryoverTenths: 30, bookedTenths: 40, freeTenths: 0 } });
    const total = buildRows(['2026-12-07'], [over]).at(-1);
    expect(total?.cells[0]?.overloaded).toBe(true);
  });
});

describe('load against capacity', () => {
  const load = (capacityTenths: number, carryoverTenths: number, bookedTenths: number, overloaded = false) => ({
    capacityTenths,
    carryoverTenths,
    bookedTenths,
    freeTenths: Math.max(0, capacityTenths - carryoverTenths - bookedTenths),
    overloaded,
  });

  it('counts carryover and bookings as used', () => {
    expect(loadLevel(load(68, 10, 20))).toEqual({ used: 30, share: 30 / 68, level: 'free' });
  });

  it('is busy from four fifths of the capacity', () => {
    expect(loadLevel(load(100, 0, 79)).level).toBe('free');
    expect(loadLevel(load(100, 0, 80)).level).toBe('busy');
  });

  it('is over when the server says so, the bar full but not past its end', () => {
    expect(loadLevel(load(68, 0, 90, true))).toEqual({ used: 90, share: 1, level: 'over' });
  });

  it('is nothing on a day without capacity or plans', () => {
    expect(loadLevel(load(0, 0, 0)).level).toBe('none');
    expect(loadLevel(load(0, 0, 10)).share).toBe(1);
  });
});

describe('placing appointments', () => {
  const a = { id: 'a', wantedAt: local(2026, 12, 8, 14, 30), mechanicId: 'm-1' };
  const b = { id: 'b', wantedAt: local(2026, 12, 8, 10, 0), mechanicId: 'm-1' };
  const c = { id: 'c', wantedAt: local(2026, 12, 9, 9, 0), mechanicId: null };

  it('puts each on its local day in its mechanic’s row, by time', () => {
    const cells = placeAppointments([a, b, c]);
    expect(cells.get(cellKey(mechanicRowKey('m-1'), '2026-12-08'))?.map((x) => x.id)).toEqual(['b', 'a']);
    expect(cells.get(cellKey(mechanicRowKey(null), '2026-12-09'))?.map((x) => x.id)).toEqual(['c']);
  });

  it('puts each in its hour in the day view', () => {
    const cells = placeAppointments([a, b], true);
    expect(cells.get(cellKey(mechanicRowKey('m-1'), '2026-12-08', 14))?.map((x) => x.id)).toEqual(['a']);
    expect(cells.get(cellKey(mechanicRowKey('m-1'), '2026-12-08', 10))?.map((x) => x.id)).toEqual(['b']);
  });

  it('stretches the day view to an appointment outside the usual hours', () => {
    expect(dayHours([])).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(dayHours([{ wantedAt: local(2026, 12, 8, 7, 30) }])[0]).toBe(7);
    expect(dayHours([{ wantedAt: local(2026, 12, 8, 21, 0) }]).at(-1)).toBe(21);
  });
});

describe('a drop as a new time', () => {
  const wantedAt = local(2026, 12, 8, 10, 30);

  it('keeps the time of day on another date in the week view', () => {
    expect(movedWantedAt(wantedAt, { date: '2026-12-10', hour: null, mechanicId: null })).toBe(local(2026, 12, 10, 10, 30));
  });

  it('takes the hour dropped on, on the hour, in the day view', () => {
    expect(movedWantedAt(wantedAt, { date: '2026-12-08', hour: 15, mechanicId: null })).toBe(local(2026, 12, 8, 15, 0));
  });

  it('refuses a target that is not a date', () => {
    expect(movedWantedAt(wantedAt, { date: 'tomorrow', hour: null, mechanicId: null })).toBeNull();
  });

  it('is a move only when the time or the mechanic changes', () => {
    const appointment = { wantedAt, mechanicId: 'm-1' };
    expect(isMove(appointment, wantedAt, 'm-1')).toBe(false);
    expect(isMove(appointment, new Date(wantedAt).toISOString(), 'm-2')).toBe(true);
    expect(isMove(appointment, local(2026, 12, 9, 10, 30), 'm-1')).toBe(true);
    expect(isMove({ wantedAt, mechanicId: null }, wantedAt, null)).toBe(false);
  });

  it('sends the whole slot, the bay kind kept, and the override only when given', () => {
    expect(rescheduleBody({ bayKind: 'LIFT' }, wantedAt, 'm-2')).toEqual({ wanted_at: wantedAt, bay_kind: 'lift', mechanic_id: 'm-2' });
    expect(rescheduleBody({ bayKind: null }, wantedAt, null, 'Механик остаётся')).toEqual({
      wanted_at: wantedAt,
      bay_kind: null,
      mechanic_id: null,
      overload_reason: 'Механик остаётся',
    });
  });
});

describe('an appointment’s buttons', () => {
  const advisor = ['planning.read', 'appointment.book', 'work_order.open'];

  it('offers everything on a booked one whose time has come to whoever books and opens orders', () => {
    expect(appointmentActions('BOOKED', advisor, true)).toEqual({ move: true, cancel: true, missed: true, arrive: true });
  });

  it('offers no «did not come» before the time', () => {
    expect(appointmentActions('BOOKED', advisor, false)).toEqual({ move: true, cancel: true, missed: false, arrive: true });
  });

  it('offers no arrival without the right to open orders', () => {
    expect(appointmentActions('BOOKED', ['appointment.book'], true).arrive).toBe(false);
  });

  it('takes in a client marked missed who came late, and nothing else on a closed one', () => {
    expect(appointmentActions('MISSED', advisor, true)).toEqual({ move: false, cancel: false, missed: false, arrive: true });
    for (const status of ['CANCELLED', 'ARRIVED'] as const) {
      expect(Object.values(appointmentActions(status, advisor, true))).toEqual([false, false, false, false]);
    }
  });

  it('offers nothing to a reader', () => {
    expect(Object.values(appointmentActions('BOOKED', ['planning.read'], true))).toEqual([false, false, false, false]);
  });
});

describe('booking', () => {
  const catalogue = [
    { id: 'oil', name: 'Замена масла', normHours: '0.5' },
    { id: 'diag', name: 'Диагностика', normHours: '1.0' },
  ];
  const work = (change: Partial<WorkDraft>): WorkDraft => ({ key: 'k', source: 'catalogue', serviceId: '', name: '', hours: '', ...change });

  it('sends a catalogue work with its own norm-hours unless typed, and counts them', () => {
    const planned = plannedWorks(
      [work({ key: '1', serviceId: 'oil' }), work({ key: '2', serviceId: 'diag', hours: '1,5' }), work({ key: '3', source: 'free', name: ' Шиномонтаж ', hours: '2' })],
      catalogue,
    );
    expect(planned.errors).toEqual({});
    expect(planned.tenths).toBe(5 + 15 + 20);
    expect(planned.body).toEqual([
      { catalogue_service_id: 'oil', name: null, norm_hours_tenths: null },
      { catalogue_service_id: 'diag', name: null, norm_hours_tenths: 15 },
      { catalogue_service_id: null, name: 'Шиномонтаж', norm_hours_tenths: 20 },
    ]);
  });

  it('names what is wrong with each work', () => {
    const planned = plannedWorks(
      [
        work({ key: 'a' }),
        work({ key: 'b', source: 'free', hours: '1' }),
        work({ key: 'c', source: 'free', name: 'Мойка' }),
        work({ key: 'd', serviceId: 'oil', hours: '0' }),
      ],
      catalogue,
    );
    expect(planned.errors).toEqual({ a: 'service', b: 'name', c: 'hours', d: 'hours' });
    expect(planned.body).toEqual([]);
    expect(planned.tenths).toBe(0);
  });

  it('finds the day’s free capacity by the tightest of shop, mechanic and bay kind', () => {
    const day = plan('2026-12-07');
    expect(freeFor(day, null, null)).toEqual({ freeTenths: 111, limit: 'shop' });
    expect(freeFor(day, 'm-2', null)).toEqual({ freeTenths: 48, limit: 'mechanic' });
    expect(freeFor(day, 'm-2', 'TYRE')).toEqual({ freeTenths: 48, limit: 'mechanic' });
    expect(freeFor(day, null, 'WASH')).toEqual({ freeTenths: 0, limit: 'bay' });
  });
});

describe('the mechanic’s clock', () => {
  const job = { workOrderId: 'w', lineId: 'l' };

  it('offers the buttons the job’s clock allows, and none off shift', () => {
    expect(jobActions({ ...job, running: true, paused: false }, true)).toEqual(['pause', 'finish']);
    expect(jobActions({ ...job, running: false, paused: true }, true)).toEqual(['resume', 'finish']);
    expect(jobActions({ ...job, running: false, paused: false }, true)).toEqual(['start']);
    expect(jobActions({ ...job, running: true, paused: false }, false)).toEqual([]);
  });

  it('adds the running stretch, up to now, to what the server counted', () => {
    const now = new Date('2026-12-07T10:00:00.900Z');
    expect(jobSeconds({ clockedSeconds: 30 * 60, runningSince: '2026-12-07T09:50:00Z' }, now)).toBe(40 * 60);
    // Paused: the server's figure as it is, however late it is read.
    expect(jobSeconds({ clockedSeconds: 30 * 60, runningSince: null }, now)).toBe(30 * 60);
    expect(jobSeconds({ clockedSeconds: 125 }, now)).toBe(125);
    // A tablet whose clock is a little behind the server's never shows less than the server counted.
    expect(jobSeconds({ clockedSeconds: 60, runningSince: '2026-12-07T10:00:05Z' }, now)).toBe(60);
  });

  it('writes a duration as a clock', () => {
    expect(formatElapsed(0)).toBe('0:00:00');
    expect(formatElapsed(425)).toBe('0:07:05');
    expect(formatElapsed(12 * 3600 + 1.9)).toBe('12:00:01');
  });
});
