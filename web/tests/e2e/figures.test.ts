/**
 * The owner's «Выработка» and the mechanic's «Моя выработка сегодня»: a mechanic of the test's own
 * clocks a shift and a job through the API (the advisor for them), the job's line is finished, and
 * the owner's table shows that mechanic's выработка, efficiency and productivity exactly as the
 * query API computed them, with the definitions beside, accessible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, uniquePhone, uuid } from './support.ts';

const seed = Date.now().toString(36).toUpperCase();
const mechanic = uuid();
const mechanicName = `Воронин Степан ${seed}`;
const SETTLE = { timeout: 15_000 };

let browser: Browser;
let advisor: Api;
let owner: Api;

interface Figures {
  mechanicId: string | null;
  finishedLines: number;
  outputTenths: number;
  efficiencyBasisPoints: number | null;
  productivityBasisPoints: number | null;
}

beforeAll(async () => {
  browser = await launch();
  advisor = await Api.as('advisor');
  owner = await Api.as('owner');
  await owner.send('staff', 'main', 'hire', {
    employee_id: mechanic,
    full_name: mechanicName,
    position: 'Механик',
    email: `voronin-${seed.toLowerCase()}@motor.demo`,
    roles: ['mechanic'],
  });
  // An order with one approved line of 1,5 н/ч for the mechanic, clocked and finished by the
  // advisor for them (the advisor moves a mechanic's clock, recorded as such).
  const client = uuid();
  const vehicle = uuid();
  const order = uuid();
  const line = uuid();
  await advisor.send('client', client, 'register', { party: { kind: 'person', full_name: `Щукин Роман ${seed}` }, phones: [uniquePhone()] });
  const n = Date.now() % 1000;
  await advisor.send('vehicle', vehicle, 'register', { plate: `Х${String(n).padStart(3, '0')}ХХ77`, make: 'Lada', model: 'Vesta', year: 2020, owner: client });
  await advisor.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  await advisor.send('work_order', order, 'accept_vehicle', { mileage_km: 40_000, complaints: 'Скрип тормозов', fuel_eighths: 4 });
  await advisor.send('work_order', order, 'add_labour_line', { line_id: line, name: `Замена колодок ${seed}`, norm_hours_tenths: 15, mechanic });
  await advisor.send('work_order', order, 'record_approval', {
    decisions: [{ line_id: line, decision: 'approve' }],
    by: 'Щукин Роман',
    channel: { kind: 'in_person' },
  });
  await advisor.send('work_order', order, 'start_work', {});
  const job = { work_order_id: order, line_id: line };
  await advisor.send('timesheet', mechanic, 'clock_in', {});
  await advisor.send('timesheet', mechanic, 'start_job', job);
  await new Promise((done) => setTimeout(done, 1_500));
  const finished = await advisor.send('timesheet', mechanic, 'finish_job', job);
  await owner.query('{ me { employeeId } }', {}, finished.position);
});
afterAll(async () => {
  await browser?.close();
});

describe('the mechanics’ figures', () => {
  it('shows the owner each mechanic’s выработка, efficiency and productivity as the server computed them', async () => {
    const { page, problems } = await newTab(browser);
    await loginAs(page, 'owner');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Выработка' }).click();
    await page.getByRole('heading', { name: 'Выработка механиков', level: 1 }).waitFor();
    // Grouped by day: today is one row for the mechanic.
    await page.getByLabel('Группировать').selectOption('DAY');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: mechanicName }) });
    await row.waitFor(SETTLE);

    const today = new Date();
    const from = new Date(today.getFullYear(), today.getMonth(), today.getDate());
    const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1);
    const { mechanicFigures } = await owner.query<{ mechanicFigures: Figures[] }>(
      'query($from: DateTime!, $to: DateTime!, $id: UUID) { mechanicFigures(from: $from, to: $to, granularity: DAY, mechanicId: $id) { mechanicId finishedLines outputTenths efficiencyBasisPoints productivityBasisPoints } }',
      { from: from.toISOString(), to: to.toISOString(), id: mechanic },
    );
    expect(mechanicFigures).toHaveLength(1);
    const figures = mechanicFigures[0]!;
    expect(figures.finishedLines).toBe(1);
    expect(figures.outputTenths).toBe(15);
    expect(figures.productivityBasisPoints).not.toBeNull();

    const cells = await row.getByRole('cell').allInnerTexts();
    // Period, lines, выработка, time on them, efficiency, on jobs, on shift, productivity.
    expect(cells[1]).toBe('1');
    expect(cells[2]).toBe('1,5');
    const percent = (bp: number | null) =>
      bp == null ? '—' : `${(Math.round(bp / 10) / 10).toLocaleString('ru-RU', { maximumFractionDigits: 1, useGrouping: false })} %`;
    expect(cells[4]).toBe(percent(figures.efficiencyBasisPoints));
    expect(cells[7]).toBe(percent(figures.productivityBasisPoints));

    // The definitions are on the screen, not only in the README.
    const definitions = page.getByRole('region', { name: 'Как считаются показатели' });
    await definitions.getByText('Выработка', { exact: true }).waitFor();
    await definitions.getByText(/время, отмеченное на работах в периоде ÷ время на смене/).waitFor();
    await expectAccessible(page, 'figures');
    await screenshot(page, 'figures');
    expect(problems).toEqual([]);
  });

  it('is not offered to a mechanic, who sees only their own today', async () => {
    const { page, problems } = await newTab(browser, { width: 1024, height: 768 });
    await loginAs(page, 'mechanic');
    const sections = page.getByRole('navigation', { name: 'Разделы' });
    await sections.getByRole('link', { name: 'Мои работы' }).waitFor();
    expect(await sections.getByRole('link', { name: 'Выработка' }).count()).toBe(0);
    await sections.getByRole('link', { name: 'Мои работы' }).click();
    const mine = page.getByRole('region', { name: 'Моя выработка сегодня' });
    await mine.waitFor();
    await mine.getByText('Как считаются показатели').waitFor();
    expect(problems).toEqual([]);
  });
});
