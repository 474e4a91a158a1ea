/**
 * The owner's reports: an order with a service and a part is completed, invoiced and paid through
 * the API; the owner opens «Отчёты» for this month by day, the revenue chart draws its bars, and the
 * revenue table's Excel export, opened back, holds the same dates, counts and amounts as the table
 * on the screen and as the query API's `revenue`. The CSV is UTF-8 with a byte-order mark and
 * semicolons. Accessible; the screenshot is the README's.
 */
import { readFileSync } from 'node:fs';
import { readSheet } from 'read-excel-file/universal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, uniquePhone, uuid } from './support.ts';

/** The demo shop's fixed ids (command-api/examples/seed_demo.rs). */
const demoId = (n: number) => `0192f0c4-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const OIL_CHANGE = demoId(200);
const MECHANIC = demoId(102);

const SETTLE = { timeout: 15_000, interval: 250 };
const NBSP = /\u00a0/g;

interface Bucket {
  starts: string;
  invoices: number;
  revenue: string;
}

let browser: Browser;
let owner: Api;

function uniqueVin(): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
  let vin = 'XTA';
  for (let i = 0; i < 14; i++) vin += alphabet[Math.floor(Math.random() * alphabet.length)];
  return vin;
}

beforeAll(async () => {
  browser = await launch();
  owner = await Api.as('owner');
  const advisor = await Api.as('advisor');
  const cashier = await Api.as('cashier');
  // An oil change (1 250 ₽, the demo mechanic's) and a filter (650 ₽): 1 900 ₽, invoiced and paid.
  const [client, vehicle, order, labour, parts, invoice] = [uuid(), uuid(), uuid(), uuid(), uuid(), uuid()];
  const clientName = `Отчётова Ольга ${Date.now().toString(36)}`;
  await advisor.send('client', client, 'register', { party: { kind: 'person', full_name: clientName }, phones: [uniquePhone()] });
  await advisor.send('vehicle', vehicle, 'register', { vin: uniqueVin(), make: 'Kia', model: 'Rio', year: 2018, owner: client });
  await advisor.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  await advisor.send('work_order', order, 'accept_vehicle', { mileage_km: 88_000, complaints: 'Плановое ТО', fuel_eighths: 3 });
  await advisor.send('work_order', order, 'add_labour_line', { line_id: labour, catalogue_service_id: OIL_CHANGE, mechanic: MECHANIC });
  await advisor.send('work_order', order, 'add_parts_line', {
    line_id: parts,
    part_number: 'OC90',
    name: 'Масляный фильтр',
    quantity_thousandths: 1000,
    unit_price_kopecks: 65_000,
  });
  await advisor.send('work_order', order, 'record_approval', {
    decisions: [
      { line_id: labour, decision: 'approve' },
      { line_id: parts, decision: 'approve' },
    ],
    by: clientName,
    channel: { kind: 'in_person' },
  });
  await advisor.send('work_order', order, 'start_work', {});
  await advisor.send('work_order', order, 'complete', {});
  // The reports read the analytics facts, which do not take part in read-your-writes: the test
  // counts the invoices around now before and waits for one more.
  const around = { from: new Date(Date.now() - 2 * 86_400_000).toISOString(), to: new Date(Date.now() + 2 * 86_400_000).toISOString() };
  const invoices = async () =>
    (
      await owner.query<{ averageRepairOrder: { invoices: number } }>(
        'query($from: DateTime!, $to: DateTime!) { averageRepairOrder(from: $from, to: $to) { invoices } }',
        around,
      )
    ).averageRepairOrder.invoices;
  const before = await invoices();
  await cashier.send('invoice', invoice, 'issue', { work_order_id: order });
  await cashier.send('invoice', invoice, 'record_payment', { payment_id: uuid(), amount_kopecks: 190_000, method: 'cash' });
  const until = Date.now() + 30_000;
  while ((await invoices()) !== before + 1) {
    if (Date.now() > until) throw new Error('the reports did not count the new invoice within 30 s');
    await new Promise((done) => setTimeout(done, 250));
  }
});
afterAll(async () => {
  await browser?.close();
});

/** This month in the browser's zone (the shop's), as the screen opens on it: the instants it asks for. */
async function thisMonth(page: Page): Promise<{ from: string; to: string }> {
  return page.evaluate(() => {
    const now = new Date();
    return {
      from: new Date(now.getFullYear(), now.getMonth(), 1).toISOString(),
      to: new Date(now.getFullYear(), now.getMonth() + 1, 1).toISOString(),
    };
  });
}

async function saved(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

describe('the owner’s reports', () => {
  it('charts revenue and exports the table to Excel with the numbers on the screen and in the API', async () => {
    const { page, problems } = await newTab(browser);
    await loginAs(page, 'owner');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Отчёты' }).click();
    await page.getByRole('heading', { name: 'Отчёты', level: 1 }).waitFor();
    expect(await page.getByLabel('Период', { exact: true }).inputValue()).toBe('month');
    expect(await page.getByLabel('Выручка', { exact: true }).inputValue()).toBe('DAY');

    // What the API says for the same period, once it has the payment.
    const period = await thisMonth(page);
    const { revenue } = await owner.query<{ revenue: Bucket[] }>(
      'query($from: DateTime!, $to: DateTime!) { revenue(from: $from, to: $to, granularity: DAY) { starts invoices revenue } }',
      period,
    );
    expect(revenue.length).toBeGreaterThan(0);
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    const todays = revenue.find((bucket) => bucket.starts === today);
    expect(todays, 'today’s bucket').toBeDefined();
    expect(Number(todays!.revenue)).toBeGreaterThanOrEqual(1900);

    // The section: its chart with a bar per bucket, described by the table under it.
    const section = page.getByRole('region', { name: 'Выручка по периодам' });
    const table = section.getByRole('table', { name: 'Выручка по периодам' });
    await expect.poll(async () => table.locator('tbody tr').count(), SETTLE).toBe(revenue.length);
    const chart = section.getByRole('figure');
    await chart.locator('svg').first().waitFor();
    await expect.poll(() => chart.locator('.recharts-bar-rectangle path').count(), SETTLE).toBe(revenue.length);
    const tableId = await table.getAttribute('id');
    expect(tableId).toBeTruthy();
    expect(await chart.getAttribute('aria-describedby')).toBe(tableId);

    // The table as the screen writes it: the API's figures in Russian formats.
    const shown = (await table.locator('tbody tr').evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((cell) => cell.textContent ?? '')),
    )).map((cells) => cells.map((cell) => cell.replace(NBSP, ' ')));
    const russian = (bucket: Bucket) => {
      const [y, m, d] = bucket.starts.split('-');
      const [whole = '0', fraction = '00'] = bucket.revenue.split('.');
      return [`${d}.${m}.${y}`, String(bucket.invoices), `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${fraction.padEnd(2, '0')} ₽`];
    };
    expect(shown).toEqual(revenue.map(russian));

    // Excel: a real file, opened back: dates as dates, counts and money as numbers, same as both.
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Выгрузить «Выручка по периодам» в Excel' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toMatch(/^revenue-day_\d{4}-\d{2}-01_\d{4}-\d{2}-\d{2}\.xlsx$/);
    const sheet = await readSheet(new Blob([new Uint8Array(await saved(xlsx))]));
    expect(sheet[0]).toEqual(['Период с', 'Счетов', 'Выручка']);
    expect(sheet.slice(1)).toEqual(
      revenue.map((bucket) => {
        const [y, m, d] = bucket.starts.split('-').map(Number);
        return [new Date(Date.UTC(y!, m! - 1, d!)), bucket.invoices, Number(bucket.revenue)];
      }),
    );
    const written = sheet.slice(1).map((row) => {
      const [day, invoices, amount] = row as [Date, number, number];
      const fixed = amount.toFixed(2).split('.');
      return [
        `${String(day.getUTCDate()).padStart(2, '0')}.${String(day.getUTCMonth() + 1).padStart(2, '0')}.${day.getUTCFullYear()}`,
        String(invoices),
        `${(fixed[0] ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${fixed[1]} ₽`,
      ];
    });
    expect(written).toEqual(shown);

    // CSV for Russian Excel: the byte-order mark, semicolons, decimal commas.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Выгрузить «Выручка по периодам» в CSV' }).click(),
    ]);
    const bytes = await saved(csv);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Период с;Счетов;Выручка');
    expect(lines.slice(1)).toEqual(revenue.map((b) => `${russian(b)[0]};${b.invoices};${b.revenue.replace('.', ',')}`));

    // The other reports are there with their tables.
    for (const name of ['Средний чек', 'Машины', 'Возврат рекомендаций', 'Выработка механиков по счетам', 'Лучшие услуги', 'Лучшие запчасти']) {
      await page.getByRole('region', { name }).getByRole('table').waitFor(SETTLE);
    }
    // Nothing may be owed today in this shop: the aging shows its table or says so.
    const aging = page.getByRole('region', { name: 'Дебиторская задолженность' });
    await aging.getByRole('table').or(aging.getByText('На конец этого дня долгов по счетам нет.')).waitFor(SETTLE);
    await page
      .getByRole('region', { name: 'Лучшие услуги' })
      .getByRole('rowheader', { name: 'Замена масла в двигателе' })
      .waitFor(SETTLE);

    await expectAccessible(page, 'reports');
    await screenshot(page, 'reports');
    expect(problems).toEqual([]);
  });

  it('is not offered to an advisor', async () => {
    const { page, problems } = await newTab(browser, { width: 1024, height: 768 });
    await loginAs(page, 'advisor');
    const sections = page.getByRole('navigation', { name: 'Разделы' });
    await sections.getByRole('link', { name: 'Доска' }).waitFor();
    expect(await sections.getByRole('link', { name: 'Отчёты' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
