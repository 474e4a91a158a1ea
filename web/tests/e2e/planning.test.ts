/**
 * Planning in the browser: the advisor on the phone books a car against the day's free capacity;
 * a booking past it is refused in the server's words, and only the owner (who may overload a day)
 * books it with a reason, from the new-visit screen; an appointment is moved by dragging it to
 * another day and, from the keyboard, with «Перенести»; a car's arrival opens its work order.
 * Every screen passes the accessibility check.
 *
 * The tests plan a mechanic of their own, weeks ahead, so the demo mechanic's open work (carried
 * over onto the next days) and the other browser tests' orders never change the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uuid } from './support.ts';

const SEARCH = 'Найти клиента или автомобиль';
/** The read models answer from what the projectors have applied: give them a few seconds. */
const SETTLE = { timeout: 15_000 };

/** The browser's time zone (support.ts): Moscow, UTC+3 all year. */
const moscow = (date: string, time: string) => new Date(`${date}T${time}:00+03:00`).toISOString();
const plain = (shown: string | null) => (shown ?? '').replace(/\u00a0/g, ' ');
const tenths = (n: number) => `${Math.trunc(n / 10)}${n % 10 ? `,${n % 10}` : ''}`;

const seed = Date.now().toString(36).toUpperCase();
let counter = 0;
function uniquePhone(): string {
  counter += 1;
  return `+7917${String((Date.now() * 3 + counter) % 10_000_000).padStart(7, '0')}`;
}
function uniquePlate(): string {
  counter += 1;
  const letters = 'АВЕКМНОРСТУХ';
  const n = (Date.now() + counter * 104_729) % 1_000_000;
  const pick = (k: number) => letters[k % letters.length];
  return `${pick(n)}${String(n % 1000).padStart(3, '0')}${pick(n >> 4)}${pick(n >> 8)}${150 + (counter % 40)}`;
}

/** A week four weeks ahead: Monday and the weekdays after it, as the shop's dates. */
function futureWeek(): string[] {
  const day = new Date(Date.now() + 28 * 86_400_000);
  while (day.getUTCDay() !== 1) day.setUTCDate(day.getUTCDate() + 1);
  return Array.from({ length: 5 }, (_, i) => new Date(day.getTime() + i * 86_400_000).toISOString().slice(0, 10));
}
const [MONDAY = '', TUESDAY = '', WEDNESDAY = '', THURSDAY = '', FRIDAY = ''] = futureWeek();

interface Appointment {
  id: string;
  wantedAt: string;
  mechanicId: string | null;
  status: string;
  loadTenths: number;
  workOrderId: string | null;
}

async function appointmentsOn(api: Api, date: string, position?: string): Promise<Appointment[]> {
  const answer = await api.query<{ appointments: Appointment[] }>(
    `query($from: DateTime!, $to: DateTime!) {
       appointments(from: $from, to: $to) { id wantedAt mechanicId status loadTenths workOrderId }
     }`,
    { from: moscow(date, '00:00'), to: new Date(new Date(moscow(date, '00:00')).getTime() + 86_400_000).toISOString() },
    position,
  );
  // The API writes instants with an offset; compared as `toISOString` writes them.
  return answer.appointments.map((a) => ({ ...a, wantedAt: new Date(a.wantedAt).toISOString() }));
}

async function mechanicDay(api: Api, date: string, mechanic: string) {
  const answer = await api.query<{
    capacity: { mechanics: { employeeId: string; capacityTenths: number; freeTenths: number; overloaded: boolean }[] }[];
  }>(
    `query($d: NaiveDate!) { capacity(from: $d, to: $d) { mechanics { employeeId capacityTenths freeTenths overloaded } } }`,
    { d: date },
  );
  const found = answer.capacity[0]?.mechanics.find((m) => m.employeeId === mechanic);
  if (!found) throw new Error(`no plan for ${mechanic} on ${date}`);
  return found;
}

let browser: Browser;
let advisor: Api;
let owner: Api;
/** The tests' own mechanic, on a five-day week. */
const mechanic = uuid();
const mechanicName = `Лебедев Антон ${seed}`;
/** A client with a car, booked by the tests. */
const client = uuid();
const vehicle = uuid();
const clientName = `Журавлёв Игорь ${seed}`;
const plate = uniquePlate();

beforeAll(async () => {
  browser = await launch();
  advisor = await Api.as('advisor');
  owner = await Api.as('owner');
  await owner.send('staff', 'main', 'hire', {
    employee_id: mechanic,
    full_name: mechanicName,
    position: 'Механик',
    email: `lebedev-${seed.toLowerCase()}@motor.demo`,
    roles: ['mechanic'],
  });
  const shift = { start: '09:00', end: '18:00', breaks: [{ start: '13:00', end: '14:00' }] };
  await owner.send('work_schedule', mechanic, 'set_week', { days: [shift, shift, shift, shift, shift, null, null] });
  await advisor.send('client', client, 'register', { party: { kind: 'person', full_name: clientName }, phones: [uniquePhone()] });
  const registered = await advisor.send('vehicle', vehicle, 'register', { plate, make: 'Kia', model: 'Rio', year: 2017, owner: client });
  // The search and the plan see all of it before the first page loads.
  await advisor.query('{ me { employeeId } }', {}, registered.position);
});
afterAll(async () => {
  await browser?.close();
});

/** Books through the API (the tests that are not about the booking form). */
async function book(date: string, time: string, tenthsNeeded: number): Promise<{ id: string; position: string }> {
  const id = uuid();
  const answer = await advisor.send('appointment', id, 'book', {
    client_id: client,
    vehicle_id: vehicle,
    works: [{ name: 'Замена тормозных колодок', norm_hours_tenths: tenthsNeeded }],
    wanted_at: moscow(date, time),
    bay_kind: 'lift',
    mechanic_id: mechanic,
  });
  return { id, position: answer.position };
}

async function openPlanner(page: Page, search: string): Promise<void> {
  await page.goto(`${stack().baseURL}/planning${search}`);
  await page.getByRole('heading', { name: 'Планировщик', level: 1 }).waitFor();
  await page.getByRole('table').waitFor(SETTLE);
}

const cell = (page: Page, date: string, who: string | null = mechanic) => page.locator(`td[data-cell="m:${who ?? '-'}|${date}"]`);

/** Fills the booking form's works, time and mechanic. */
async function fillBooking(page: Page, works: { catalogue?: string; name?: string; hours?: string }[], wanted: string): Promise<void> {
  for (const [i, work] of works.entries()) {
    const n = i + 1;
    if (i > 0) await page.getByRole('button', { name: 'Добавить работу' }).click();
    if (work.catalogue) {
      await page.getByLabel(`Работа ${n}`, { exact: true }).selectOption({ label: work.catalogue });
    } else {
      await page.getByLabel(`Работа ${n}`, { exact: true }).selectOption({ label: 'Своя формулировка' });
      await page.getByLabel(`Работа ${n}: название`).fill(work.name ?? '');
    }
    if (work.hours) await page.getByLabel(`Работа ${n}: норма-часы`).fill(work.hours);
  }
  await page.getByLabel('Дата и время').fill(wanted);
  const mechanicSelect = page.getByLabel('Механик', { exact: true });
  await mechanicSelect.locator('option', { hasText: mechanicName }).waitFor({ state: 'attached', ...SETTLE });
  await mechanicSelect.selectOption({ label: mechanicName });
}

describe('planning', () => {
  it('books a car by the day’s free capacity from the phone', async () => {
    const { page, problems } = await newTab(browser);
    await loginAs(page, 'advisor');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Планирование' }).click();
    await page.getByRole('heading', { name: 'Планировщик', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Планирование' }).getByRole('link', { name: 'Записать' }).click();
    await page.getByRole('heading', { name: 'Запись клиента', level: 1 }).waitFor();

    // The car found by its plate: its owner comes with it.
    await page.getByRole('combobox', { name: SEARCH }).fill(plate);
    await page.getByRole('group', { name: 'Автомобили' }).getByRole('option').first().click();
    await page.getByText(clientName).waitFor(SETTLE);
    await page.getByRole('button', { name: /^Выбран: / }).waitFor();

    const before = await mechanicDay(advisor, TUESDAY, mechanic);
    expect(before.freeTenths).toBeGreaterThan(50);
    await fillBooking(page, [{ catalogue: 'Компьютерная диагностика (1 н/ч)' }, { name: 'Замена ремня ГРМ', hours: '4' }], `${TUESDAY}T10:00`);
    // The day's free capacity, by the server's figures, before booking.
    const capacity = page.locator('.booking__capacity');
    await expect.poll(async () => plain(await capacity.textContent()), SETTLE).toContain(`: ${tenths(before.freeTenths)} н/ч (у выбранного механика)`);
    expect(plain(await capacity.textContent())).toContain('Нужно: 5 н/ч');
    await expectAccessible(page, 'booking');
    await screenshot(page, 'planning-booking');

    await page.getByRole('button', { name: 'Записать', exact: true }).click();
    await page.getByRole('heading', { name: 'Планировщик', level: 1 }).waitFor();
    await page.getByText('Запись создана.').waitFor();
    await cell(page, TUESDAY).getByRole('button', { name: /^Запись 10:00 / }).waitFor(SETTLE);

    const booked = (await appointmentsOn(advisor, TUESDAY)).filter((a) => a.mechanicId === mechanic);
    expect(booked.map((a) => [a.wantedAt, a.loadTenths, a.status])).toEqual([[moscow(TUESDAY, '10:00'), 50, 'BOOKED']]);
    const after = await mechanicDay(advisor, TUESDAY, mechanic);
    expect(after.freeTenths).toBe(before.freeTenths - 50);
    expect(problems).toEqual([]);
  });

  it('refuses a booking past the day’s capacity in the server’s words, and the owner books it with a reason', async () => {
    // The advisor's own try: refused, and no override offered (the advisor may not overload a day).
    const { freeTenths } = await mechanicDay(advisor, TUESDAY, mechanic);
    const tooMuch = tenths(freeTenths + 10);
    const tab = await newTab(browser);
    await loginAs(tab.page, 'advisor');
    await tab.page.goto(`${stack().baseURL}/planning/book?client=${client}&vehicle=${vehicle}`);
    await tab.page.getByRole('button', { name: /^Выбран: / }).waitFor(SETTLE);
    await fillBooking(tab.page, [{ name: 'Кузовной ремонт', hours: tooMuch }], `${TUESDAY}T15:00`);
    await expect.poll(async () => plain(await tab.page.locator('.booking__capacity').textContent()), SETTLE).toContain(
      'Не помещается в свободную мощность дня.',
    );
    await tab.page.getByRole('button', { name: 'Записать', exact: true }).click();
    const refusal = tab.page.getByRole('alert').filter({ hasText: 'Не хватает мощности' });
    await refusal.waitFor();
    expect(plain(await refusal.textContent())).toBe(`Не хватает мощности: нужно ${tooMuch} н/ч, свободно ${tenths(freeTenths)} н/ч`);
    await tab.page.getByText('Записать сверх мощности может только сотрудник с правом перегрузки').waitFor();
    expect(await tab.page.getByRole('button', { name: 'Записать сверх мощности' }).count()).toBe(0);
    await expectAccessible(tab.page, 'booking refused');
    expect((await appointmentsOn(advisor, TUESDAY)).filter((a) => a.mechanicId === mechanic)).toHaveLength(1);
    await tab.context.close();

    // The owner, from the client's card on the new-visit screen: the override needs a reason.
    const { page, problems } = await newTab(browser);
    await loginAs(page, 'owner');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Новый визит' }).click();
    await page.getByRole('combobox', { name: SEARCH }).fill(clientName);
    await page.getByRole('group', { name: 'Клиенты' }).getByRole('option', { name: new RegExp(clientName) }).click();
    await page.getByRole('button', { name: new RegExp(`^Выбрать: `) }).first().waitFor(SETTLE);
    await page.getByRole('button', { name: new RegExp(`^Выбрать: .*Kia Rio`) }).click();
    await page.getByRole('button', { name: 'Записать на другое время' }).click();
    await page.getByRole('heading', { name: 'Запись клиента', level: 1 }).waitFor();
    await page.getByRole('button', { name: /^Выбран: .*Kia Rio/ }).waitFor(SETTLE);
    await fillBooking(page, [{ name: 'Кузовной ремонт', hours: tooMuch }], `${TUESDAY}T15:00`);
    await page.getByRole('button', { name: 'Записать', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Не хватает мощности' }).waitFor();
    await page.getByRole('button', { name: 'Записать сверх мощности' }).click();
    await page.getByText('Укажите причину.').waitFor();
    await page.getByLabel('Причина записи сверх мощности').fill('Механик остаётся до 20:00');
    await expectAccessible(page, 'booking override');
    await screenshot(page, 'planning-overload');
    await page.getByRole('button', { name: 'Записать сверх мощности' }).click();
    await page.getByText('Запись создана.').waitFor();

    // The browser's write is not this client's: the read models get a few seconds to show it.
    const loads = async () =>
      (await appointmentsOn(owner, TUESDAY))
        .filter((a) => a.mechanicId === mechanic)
        .map((a) => a.loadTenths)
        .sort((x, y) => x - y);
    await expect.poll(loads, SETTLE).toEqual([50, freeTenths + 10].sort((x, y) => x - y));
    expect((await mechanicDay(owner, TUESDAY, mechanic)).overloaded).toBe(true);
    // The planner marks the day overloaded, in words as well as in colour.
    await cell(page, TUESDAY).getByText('Перегрузка').waitFor(SETTLE);
    expect(problems).toEqual([]);
  });

  it('moves an appointment by dragging it to another day, and from the keyboard', async () => {
    const { id, position } = await book(THURSDAY, '10:00', 20);
    await advisor.query('{ me { employeeId } }', {}, position);
    const { page, problems } = await newTab(browser);
    await loginAs(page, 'advisor');
    await openPlanner(page, `?day=${MONDAY}`);
    const chip = page.locator(`[data-appointment="${id}"]`);
    await cell(page, THURSDAY).locator(`[data-appointment="${id}"]`).waitFor(SETTLE);
    // A column per day of the week, a row per mechanic.
    expect(await page.getByRole('columnheader').count()).toBe(8);
    await page.getByRole('rowheader', { name: mechanicName }).waitFor();
    await expectAccessible(page, 'planner');
    await screenshot(page, 'planning');

    // Dragged from Thursday to Friday in the same mechanic's row: the same time, another day.
    await chip.dragTo(cell(page, FRIDAY));
    await page.getByText('Запись перенесена.').waitFor();
    await expect
      .poll(async () => (await appointmentsOn(advisor, FRIDAY)).find((a) => a.id === id)?.wantedAt, SETTLE)
      .toBe(moscow(FRIDAY, '10:00'));
    await cell(page, FRIDAY).locator(`[data-appointment="${id}"]`).waitFor(SETTLE);

    // From the keyboard: the appointment's dialog, «Перенести», a date and time typed.
    await cell(page, FRIDAY).locator(`[data-appointment="${id}"]`).focus();
    await page.keyboard.press('Enter');
    const details = page.getByRole('dialog', { name: /^Запись: / });
    await details.getByRole('button', { name: 'Перенести' }).click();
    const move = page.getByRole('dialog', { name: 'Перенести запись' });
    await move.getByLabel('Новые дата и время').fill(`${WEDNESDAY}T11:30`);
    expect(await move.getByLabel('Механик').inputValue()).toBe(mechanic);
    await expectAccessible(page, 'move dialog');
    await move.getByRole('button', { name: 'Перенести', exact: true }).click();
    await page.getByText('Запись перенесена.').waitFor();
    await expect
      .poll(async () => (await appointmentsOn(advisor, WEDNESDAY)).find((a) => a.id === id), SETTLE)
      .toMatchObject({ wantedAt: moscow(WEDNESDAY, '11:30'), mechanicId: mechanic, status: 'BOOKED' });

    // The client calls it off: a cancellation needs its reason.
    const moved = cell(page, WEDNESDAY).locator(`[data-appointment="${id}"]`);
    await moved.waitFor(SETTLE);
    await moved.click();
    await page.getByRole('dialog', { name: /^Запись: / }).getByRole('button', { name: 'Отменить запись' }).click();
    const cancel = page.getByRole('dialog', { name: 'Отменить запись' });
    await cancel.getByRole('button', { name: 'Отменить запись' }).click();
    await cancel.getByText('Укажите причину отмены.').waitFor();
    await cancel.getByLabel('Причина отмены').fill('Клиент продал машину');
    await cancel.getByRole('button', { name: 'Отменить запись' }).click();
    await page.getByRole('status').filter({ hasText: 'Отменена' }).waitFor();
    await expect
      .poll(async () => (await appointmentsOn(advisor, WEDNESDAY)).find((a) => a.id === id)?.status, SETTLE)
      .toBe('CANCELLED');
    await cell(page, WEDNESDAY).locator(`[data-appointment="${id}"]`).getByText('Отменена').waitFor(SETTLE);
    expect(problems).toEqual([]);
  });

  it('takes the car in on arrival: its work order opens with the planned works', async () => {
    const { id, position } = await book(FRIDAY, '16:00', 15);
    await advisor.query('{ me { employeeId } }', {}, position);
    const { page, problems } = await newTab(browser);
    await loginAs(page, 'advisor');
    // The day view: the appointment in its hour.
    await openPlanner(page, `?view=day&day=${FRIDAY}`);
    const chip = page.locator(`td[data-cell="m:${mechanic}|${FRIDAY}|16"] [data-appointment="${id}"]`);
    await chip.waitFor(SETTLE);
    await expectAccessible(page, 'planner, day view');
    await screenshot(page, 'planning-day');
    await chip.click();
    await page.getByRole('dialog', { name: /^Запись: / }).getByRole('button', { name: 'Приехал' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = page.url().split('/').pop() ?? '';
    await page.locator('[data-card-ready]').waitFor(SETTLE);
    await page.getByText('Замена тормозных колодок').first().waitFor(SETTLE);

    const arrived = (await appointmentsOn(advisor, FRIDAY)).find((a) => a.id === id);
    expect(arrived).toMatchObject({ status: 'ARRIVED', workOrderId: orderId });
    expect(problems).toEqual([]);
  });
});
