/**
 * The mechanic's screen on a tablet: the demo mechanic clocks in, starts a job, starts another
 * (the first shows paused: the server paused it), finishes the second and clocks out; the screen
 * shows the server's state after every tap, and the API agrees. The buttons are big enough for a
 * gloved finger, and the screen passes the accessibility check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, uuid } from './support.ts';

const demoId = (n: number) => `0192f0c4-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const MECHANIC = demoId(102);
const SETTLE = { timeout: 15_000 };

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const seed = Date.now().toString(36).toUpperCase();

/** An order under way with two approved labour lines for the demo mechanic. */
async function orderWithTwoJobs(api: Api): Promise<{ order: string; first: string; second: string; names: [string, string] }> {
  const client = uuid();
  const vehicle = uuid();
  const order = uuid();
  const [first, second] = [uuid(), uuid()];
  const names: [string, string] = [`Замена амортизаторов ${seed}`, `Регулировка фар ${seed}`];
  const n = Date.now() % 1_000_000;
  await api.send('client', client, 'register', {
    party: { kind: 'person', full_name: `Голубев Семён ${seed}` },
    phones: [`+7915${String(n).padStart(7, '0')}`],
  });
  await api.send('vehicle', vehicle, 'register', {
    plate: `М${String(n % 1000).padStart(3, '0')}КР${150 + (n % 40)}`,
    make: 'Renault',
    model: 'Logan',
    year: 2015,
    owner: client,
  });
  await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  await api.send('work_order', order, 'accept_vehicle', { mileage_km: 120_000, complaints: 'Стучит подвеска', fuel_eighths: 2 });
  await api.send('work_order', order, 'add_labour_line', { line_id: first, name: names[0], norm_hours_tenths: 20, mechanic: MECHANIC });
  await api.send('work_order', order, 'add_labour_line', { line_id: second, name: names[1], norm_hours_tenths: 5, mechanic: MECHANIC });
  await api.send('work_order', order, 'record_approval', {
    decisions: [
      { line_id: first, decision: 'approve' },
      { line_id: second, decision: 'approve' },
    ],
    by: 'Голубев Семён',
    channel: { kind: 'in_person' },
  });
  const started = await api.send('work_order', order, 'start_work', {});
  await api.query('{ me { employeeId } }', {}, started.position);
  return { order, first, second, names };
}

async function expectBigEnough(button: Locator): Promise<void> {
  const box = await button.boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(48);
  expect(box?.width ?? 0).toBeGreaterThanOrEqual(48);
}

describe('the mechanic’s screen', () => {
  it('clocks in, starts a job, starts another (the first pauses), finishes it and clocks out', async () => {
    const advisor = await Api.as('advisor');
    const { order, first, second, names } = await orderWithTwoJobs(advisor);
    const { page, problems } = await newTab(browser, { width: 1024, height: 768 });
    await loginAs(page, 'mechanic');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Мои работы' }).click();
    await page.getByRole('heading', { name: 'Мои работы', level: 1 }).waitFor();

    const job = (name: string) => page.getByRole('listitem').filter({ hasText: name });
    const [shocks, lights] = [job(names[0]), job(names[1])];
    await shocks.waitFor(SETTLE);
    await lights.waitFor();

    // Off shift nothing can be started: the shift first.
    await page.getByText('Смена не начата').waitFor();
    expect(await shocks.getByRole('button').count()).toBe(0);
    const clockIn = page.getByRole('button', { name: 'Начать смену' });
    await expectBigEnough(clockIn);
    await clockIn.click();
    await page.getByText(/^На смене \(начало: сегодня \d\d:\d\d\)$/).waitFor();

    // The first job runs, with its time ticking.
    const startShocks = shocks.getByRole('button', { name: /^Начать: / });
    await expectBigEnough(startShocks);
    await startShocks.click();
    await shocks.getByText('В работе').waitFor();
    await shocks.getByText(/^Время: 0:00:0\d$/).waitFor();
    await shocks.getByRole('button', { name: /^Пауза: / }).waitFor();

    // Another one started: the server pauses the first, and the screen shows it.
    await lights.getByRole('button', { name: /^Начать: / }).click();
    await lights.getByText('В работе').waitFor();
    await shocks.getByText('На паузе').waitFor();
    await shocks.getByRole('button', { name: /^Продолжить: / }).waitFor();
    await expectAccessible(page, 'my jobs');
    await screenshot(page, 'my-jobs');

    // The second finished: it leaves the queue; the first stays paused.
    await lights.getByRole('button', { name: /^Завершить: / }).click();
    await page.getByText('Работа завершена.').waitFor();
    await expect.poll(() => lights.count(), SETTLE).toBe(0);
    expect(await shocks.getByText('На паузе').count()).toBe(1);

    // «Моя выработка сегодня» counts the finished line, as the server does.
    const mine = page.getByRole('region', { name: 'Моя выработка сегодня' });
    const day = new Date();
    const from = new Date(day.getFullYear(), day.getMonth(), day.getDate());
    const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1);
    // Another mechanic's figures are the owner's to read (`reports.read`).
    const owner = await Api.as('owner');
    const { mechanicFigures } = await owner.query<{ mechanicFigures: { outputTenths: number; finishedLines: number }[] }>(
      'query($from: DateTime!, $to: DateTime!, $id: UUID) { mechanicFigures(from: $from, to: $to, granularity: DAY, mechanicId: $id) { outputTenths finishedLines } }',
      { from: from.toISOString(), to: to.toISOString(), id: MECHANIC },
    );
    expect(mechanicFigures).toHaveLength(1);
    const today = mechanicFigures[0]!;
    expect(today.outputTenths).toBeGreaterThanOrEqual(5);
    const hours = `${Math.trunc(today.outputTenths / 10)}${today.outputTenths % 10 ? `,${today.outputTenths % 10}` : ''} н/ч`;
    await mine.getByText(hours, { exact: true }).waitFor(SETTLE);
    await mine.getByText(`· завершено работ: ${today.finishedLines}`).waitFor();

    await page.getByRole('button', { name: 'Закончить смену' }).click();
    await page.getByText('Смена не начата').waitFor();

    // The API agrees: off shift, the first job paused, the second line finished on the order.
    const { mechanicQueue } = await advisor.query<{
      mechanicQueue: { clock: { onShiftSince: string | null; running: unknown; paused: { lineId: string }[] } };
    }>('query($id: UUID!) { mechanicQueue(employeeId: $id) { clock { onShiftSince running { lineId } paused { lineId } } } }', {
      id: MECHANIC,
    });
    expect(mechanicQueue.clock).toEqual({ onShiftSince: null, running: null, paused: [{ lineId: first }] });
    const { workOrder } = await advisor.query<{ workOrder: { lines: { id: string; progress: string | null }[] } }>(
      'query($id: UUID!) { workOrder(id: $id) { lines { id progress } } }',
      { id: order },
    );
    const progress = Object.fromEntries(workOrder.lines.map((l) => [l.id, l.progress]));
    expect(progress).toEqual({ [first]: 'started', [second]: 'finished' });
    expect(problems).toEqual([]);
  });
});
