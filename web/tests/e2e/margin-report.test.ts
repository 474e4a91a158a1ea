/**
 * The margin report in the browser: a part bought at 1 000 ₽ is received, reserved and issued to
 * an order that bills it at 500 ₽; the owner finds the line in this month's «Утечки маржи» marked
 * «Ниже себестоимости» (and not under another kind), the month's totals above it grown by exactly
 * that purchase and that line, and the part's movements journal shows the issue. The advisor, who does not read costs, has no way to the report. Every screen passes the
 * accessibility check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uniquePhone, uuid } from './support.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** What the screen wrote, with its no-break spaces as plain ones. */
const plain = (shown: string | null) => (shown ?? '').replace(/\u00a0/g, ' ');

/** The stock reads answer from what the projectors have applied: give them a few seconds. */
const SETTLE = { timeout: 15_000 };

function uniqueVin(): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
  let vin = 'XTA';
  for (let i = 0; i < 14; i++) vin += alphabet[Math.floor(Math.random() * alphabet.length)];
  return vin;
}

/** A month's totals as the API gives them. */
interface Totals {
  bought: string;
  issuedCost: string;
  billedAmount: string;
  margin: string;
  lines: number;
  issuedNotBilled: number;
  billedNotIssued: number;
  belowCost: number;
}

const TOTALS = 'marginSummary(from: $from, to: $to) { bought issuedCost billedAmount margin lines issuedNotBilled billedNotIssued belowCost }';

/** "-1234.50" as kopecks, read as text (no floating point). */
function kopecks(amount: string): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (!match) throw new Error(`not an amount: ${amount}`);
  const value = Number(match[2]) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

/** Kopecks as the screen writes them, with plain spaces: -100000 → «−1 000,00 ₽». */
function roubles(value: number): string {
  const abs = Math.abs(value);
  const whole = String(Math.trunc(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${value < 0 ? '−' : ''}${whole},${String(abs % 100).padStart(2, '0')} ₽`;
}

/** The totals' terms and figures as the screen shows them, in its order. */
function shownTotals(totals: Totals): [string, string][] {
  return [
    ['Закуплено', roubles(kopecks(totals.bought))],
    ['Себестоимость выданного', roubles(kopecks(totals.issuedCost))],
    ['Выставлено в счетах', roubles(kopecks(totals.billedAmount))],
    ['Маржа', roubles(kopecks(totals.margin))],
    ['Строк с запчастями', String(totals.lines)],
    ['Выдано, но не в счёте', String(totals.issuedNotBilled)],
    ['В счёте, но не выдано', String(totals.billedNotIssued)],
    ['Ниже себестоимости', String(totals.belowCost)],
  ];
}

interface Leak {
  partNumber: string;
  belowCost: boolean;
  issuedNotBilled: boolean;
  billedNotIssued: boolean;
  billedAmount: string;
  issuedCost: string;
}

/**
 * Two filters bought at 1 000 ₽ each, received, then put on an order at 500 ₽ each (which reserves
 * them), issued to it, the order completed and invoiced: a line sold below cost.
 */
async function partSoldBelowCost(
  before: (position: string) => Promise<void>,
): Promise<{ partId: string; number: string; orderId: string; orderNumber: string; position: string }> {
  const owner = await Api.as('owner');
  const number = `ML ${Date.now().toString(36).toUpperCase()}`;
  const [part, supplier, purchase, purchaseLine] = [uuid(), uuid(), uuid(), uuid()];
  // Nothing the report counts has happened yet: the caller reads what was there before.
  const registered = await owner.send('part', part, 'register', {
    number,
    brand: 'MAHLE',
    name: 'Фильтр воздушный MAHLE',
    unit: 'pcs',
    category: 'filters',
  });
  await before(registered.position);
  await owner.send('supplier', supplier, 'register', {
    legal_name: `ООО «Маржа ${Date.now().toString(36)}»`,
    inn: '7707083893',
    kpp: '773601001',
  });
  await owner.send('purchase_order', purchase, 'draft', { supplier_id: supplier });
  await owner.send('purchase_order', purchase, 'add_line', {
    line_id: purchaseLine,
    part_id: part,
    quantity_thousandths: 2000,
    unit_price_kopecks: 100_000,
  });
  await owner.send('purchase_order', purchase, 'send', {});
  await owner.send('purchase_order', purchase, 'receive', {
    receipt_id: uuid(),
    lines: [{ line_id: purchaseLine, quantity_thousandths: 2000 }],
  });

  const [client, vehicle, order, line] = [uuid(), uuid(), uuid(), uuid()];
  const clientName = 'Белова Ирина Петровна';
  await owner.send('client', client, 'register', { party: { kind: 'person', full_name: clientName }, phones: [uniquePhone()] });
  await owner.send('vehicle', vehicle, 'register', { vin: uniqueVin(), make: 'Skoda', model: 'Rapid', year: 2019, owner: client });
  await owner.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  await owner.send('work_order', order, 'accept_vehicle', { mileage_km: 45_000, complaints: 'Замена фильтра', fuel_eighths: 4 });
  await owner.send('work_order', order, 'add_parts_line', {
    line_id: line,
    part_id: part,
    quantity_thousandths: 2000,
    unit_price_kopecks: 50_000,
  });
  await owner.send('work_order', order, 'record_approval', {
    decisions: [{ line_id: line, decision: 'approve' }],
    by: clientName,
    channel: { kind: 'in_person' },
  });
  await owner.send('work_order', order, 'start_work', {});
  await owner.send('stock', `${part}:main`, 'issue', { line_id: line, quantity_thousandths: 2000 });
  const done = await owner.send('work_order', order, 'complete', {});
  const read = await owner.query<{ workOrder: { number: string } }>(
    'query($id: UUID!) { workOrder(id: $id) { number } }',
    { id: order },
    done.position,
  );
  const billed = await owner.send('invoice', uuid(), 'issue', { work_order_id: order });
  return { partId: part, number, orderId: order, orderNumber: read.workOrder.number, position: billed.position };
}

describe('the margin report', () => {
  it('shows a part sold below cost to the owner, the month\'s totals, and its issue in the movements', async () => {
    const owner = await Api.as('owner');
    // This month, as the screen opens on it (the browser and this process share the clock and zone).
    const now = new Date();
    const thisMonth = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
    const monthPeriod = {
      from: new Date(now.getFullYear(), now.getMonth(), 1).toISOString(),
      to: new Date(now.getFullYear(), now.getMonth() + 1, 1).toISOString(),
    };
    const totals = async (position?: string) =>
      (await owner.query<{ marginSummary: Totals }>(`query($from: DateTime!, $to: DateTime!) { ${TOTALS} }`, monthPeriod, position))
        .marginSummary;
    // Earlier tests of the run may have bought and sold this month: the scenario adds to that.
    const seen: { before?: Totals } = {};
    const made = await partSoldBelowCost(async (position) => {
      seen.before = await totals(position);
    });
    const was = seen.before;
    if (!was) throw new Error('no totals before the scenario');
    // What the scenario adds: 2 × 1 000 ₽ bought and issued, billed at 2 × 500 ₽, one line below cost.
    const added = { bought: 200_000, issuedCost: 200_000, billedAmount: 100_000, margin: -100_000, lines: 1, belowCost: 1 };
    const after = await totals(made.position);
    expect({
      bought: kopecks(after.bought) - kopecks(was.bought),
      issuedCost: kopecks(after.issuedCost) - kopecks(was.issuedCost),
      billedAmount: kopecks(after.billedAmount) - kopecks(was.billedAmount),
      margin: kopecks(after.margin) - kopecks(was.margin),
      lines: after.lines - was.lines,
      issuedNotBilled: after.issuedNotBilled - was.issuedNotBilled,
      billedNotIssued: after.billedNotIssued - was.billedNotIssued,
      belowCost: after.belowCost - was.belowCost,
    }).toEqual({ ...added, issuedNotBilled: 0, billedNotIssued: 0 });
    // As the header writes the scenario's own figures.
    expect([roubles(200_000), roubles(100_000), roubles(-100_000)]).toEqual(['2 000,00 ₽', '1 000,00 ₽', '−1 000,00 ₽']);

    // The API itself says what the screen must show: the line is below cost and nothing else.
    const from = new Date(now.getFullYear(), now.getMonth() - 1, 1).toISOString();
    const to = new Date(now.getFullYear(), now.getMonth() + 2, 1).toISOString();
    const leak = async () => {
      const data = await owner.query<{ marginLeaks: { nodes: Leak[] } }>(
        `query($from: DateTime!, $to: DateTime!) { marginLeaks(from: $from, to: $to, first: 200) {
          nodes { partNumber belowCost issuedNotBilled billedNotIssued billedAmount issuedCost } } }`,
        { from, to },
      );
      return data.marginLeaks.nodes.find((node) => node.partNumber === made.number) ?? null;
    };
    await expect.poll(leak, SETTLE).not.toBeNull();
    expect(await leak()).toEqual({
      partNumber: made.number,
      belowCost: true,
      issuedNotBilled: false,
      billedNotIssued: false,
      billedAmount: '1000.00',
      issuedCost: '2000.00',
    });

    const tab = await newTab(browser);
    const { page } = tab;
    // What the screen asks the query API for the totals.
    const reports: string[] = [];
    page.on('request', (request) => {
      if (!request.url().endsWith('/graphql')) return;
      const sent = (request.postDataJSON() as { query?: string } | null)?.query ?? '';
      if (sent.includes('marginSummary')) reports.push(sent);
    });
    await loginAs(page, 'owner');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Склад' }).click();
    await page.getByRole('navigation', { name: 'Склад' }).getByRole('link', { name: 'Утечки маржи' }).click();
    await page.getByRole('heading', { name: 'Утечки маржи', level: 1 }).waitFor();

    // This month by default; the line is there with its label and the server's figures.
    const month = await page.getByLabel('Месяц').inputValue();
    expect(month).toBe(thisMonth);
    const table = page.getByRole('table', { name: 'Утечки маржи за период, новые сверху' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: made.orderNumber, exact: true }) });
    await row.waitFor(SETTLE);
    const cells = (await row.getByRole('cell').allTextContents()).map(plain);
    // date, part number, name, ordered, billed, issued, billed amount, issued cost, leak
    expect(cells.slice(1)).toEqual([
      made.number,
      'Фильтр воздушный MAHLE',
      '2',
      '2',
      '2',
      '1 000,00 ₽',
      '2 000,00 ₽',
      'Ниже себестоимости',
    ]);
    expect(await row.getByRole('link', { name: made.orderNumber }).getAttribute('href')).toBe(`/orders/${made.orderId}`);
    // Above the table, the month's totals: the API's figures, written out.
    const header = page.getByRole('region', { name: 'Итоги периода' });
    const headerShows = async (): Promise<[string, string][]> => {
      const terms = (await header.locator('dt').allTextContents()).map(plain);
      const figures = (await header.locator('dd').allTextContents()).map(plain);
      return terms.map((term, i) => [term, figures[i] ?? '']);
    };
    await expect.poll(headerShows, SETTLE).toEqual(shownTotals(after));
    // The totals and the first leaks came in one request; no request asked for the totals alone.
    expect(reports.length).toBeGreaterThan(0);
    for (const sent of reports) expect(sent).toMatch(/marginLeaks\(from: \$from, to: \$to, kinds: \$kinds, first: \$first\)/);
    await expectAccessible(page, 'margin report');
    await screenshot(page, 'stock-margin');

    // Only «В счёте, но не выдано»: the line is not one of those.
    await page.getByRole('checkbox', { name: 'В счёте, но не выдано' }).check();
    await expect.poll(() => page.url()).toContain('kinds=BILLED_NOT_ISSUED');
    await expect.poll(() => row.count(), SETTLE).toBe(0);
    // The totals are the whole month's, whatever kinds the table shows.
    await expect.poll(headerShows, SETTLE).toEqual(shownTotals(after));
    // «Ниже себестоимости» as well: it is back. The box is ticked the moment it is clicked, not after
    // the screen has rendered the new URL (a controlled box in a deferred render springs back).
    const belowCost = page.getByRole('checkbox', { name: 'Ниже себестоимости' });
    const tickedAtOnce = await belowCost.evaluate((box: HTMLInputElement) => {
      box.click();
      return box.checked;
    });
    expect(tickedAtOnce).toBe(true);
    expect(await belowCost.isChecked()).toBe(true);
    await row.waitFor(SETTLE);
    // Another month has none of this month's lines.
    const [year = 0, monthNumber = 0] = month.split('-').map(Number);
    const earlier = new Date(year, monthNumber - 13, 1);
    await page.getByLabel('Месяц').fill(`${earlier.getFullYear()}-${String(earlier.getMonth() + 1).padStart(2, '0')}`);
    await expect.poll(() => row.count(), SETTLE).toBe(0);
    // Nothing was bought or sold a year ago in this fresh shop.
    await expect.poll(headerShows, SETTLE).toEqual([
      ['Закуплено', '0,00 ₽'],
      ['Себестоимость выданного', '0,00 ₽'],
      ['Выставлено в счетах', '0,00 ₽'],
      ['Маржа', '0,00 ₽'],
      ['Строк с запчастями', '0'],
      ['Выдано, но не в счёте', '0'],
      ['В счёте, но не выдано', '0'],
      ['Ниже себестоимости', '0'],
    ]);
    await expectAccessible(page, 'margin report of another month');
    // No month, no report: the field says what is missing.
    await page.getByLabel('Месяц').fill('');
    await page.getByText('Выберите месяц.').waitFor();
    expect(await page.getByLabel('Месяц').getAttribute('aria-invalid')).toBe('true');
    expect(await table.count()).toBe(0);
    expect(await header.count()).toBe(0);
    await expectAccessible(page, 'margin report without a month');

    // The part's journal, from the catalogue's row: the issue to the order, newest first.
    await page.getByRole('navigation', { name: 'Склад' }).getByRole('link', { name: 'Номенклатура' }).click();
    await page.getByLabel('Поиск: артикул, название или бренд').fill(made.number);
    await page.getByRole('link', { name: `Движения: ${made.number}` }).click();
    await page.getByRole('heading', { name: `Движения: ${made.number}`, level: 1 }).waitFor();
    const journal = page.getByRole('table', { name: 'Движения по складу, новые сверху' });
    await journal.waitFor(SETTLE);
    const newest = journal.getByRole('row').nth(1);
    expect(plain(await newest.getByRole('rowheader').textContent())).toBe('Выдано в заказ-наряд');
    const movement = (await newest.getByRole('cell').allTextContents()).map(plain);
    // when, quantity, on hand, reserved, on order, document, who
    expect(movement.slice(1)).toEqual(['2 шт.', '−2 шт.', '−2 шт.', '—', 'Заказ-наряд', 'Смирнова Анна Викторовна']);
    expect(await newest.getByRole('link', { name: 'Заказ-наряд' }).getAttribute('href')).toBe(`/orders/${made.orderId}`);
    const kinds = (await journal.getByRole('rowheader').allTextContents()).map(plain);
    expect(kinds).toEqual(['Выдано в заказ-наряд', 'Резерв под заказ-наряд', 'Приход', 'Заказано у поставщика']);
    await expectAccessible(page, 'movements journal');
    await screenshot(page, 'stock-movements');

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('pages a long journal with «Показать ещё»', async () => {
    // 52 counts, each finding one more than the last: 52 adjustments, two pages of the journal.
    const owner = await Api.as('owner');
    const part = uuid();
    const number = `MV ${Date.now().toString(36).toUpperCase()}`;
    await owner.send('part', part, 'register', { number, brand: 'BOSCH', name: 'Щётка стеклоочистителя', unit: 'pcs', category: 'wipers' });
    for (let i = 1; i <= 52; i++) {
      await owner.send('stock', `${part}:main`, 'count', { count_id: uuid(), counted_thousandths: i * 1000, reason: 'пересчёт' });
    }

    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'owner');
    await page.goto(`${stack().baseURL}/stock/movements/${part}`);
    await page.getByRole('heading', { name: `Движения: ${number}`, level: 1 }).waitFor(SETTLE);
    const journal = page.getByRole('table', { name: 'Движения по складу, новые сверху' });
    const more = page.getByRole('button', { name: 'Показать ещё' });
    // The projector may still be applying the counts: the newest is the 52nd once it has.
    const newestOnHand = () => journal.getByRole('row').nth(1).getByRole('cell').nth(2).textContent();
    await expect.poll(async () => plain(await newestOnHand()), SETTLE).toBe('+1 шт.');
    await expect.poll(() => journal.getByRole('row').count(), SETTLE).toBe(51);
    await more.click();
    await expect.poll(() => journal.getByRole('row').count(), SETTLE).toBe(53);
    expect(await more.count()).toBe(0);
    // The oldest, last: the first count found one on an empty shelf.
    const oldest = (await journal.getByRole('row').last().getByRole('cell').allTextContents()).map(plain);
    expect(oldest.slice(1, 3)).toEqual(['найдено 1 шт.', '+1 шт.']);
    expect(plain(await journal.getByRole('row').last().getByRole('rowheader').textContent())).toBe('Инвентаризацияпересчёт');
    await expectAccessible(page, 'a long movements journal');

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('is not offered to the advisor, who does not read costs', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'advisor');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Склад' }).click();
    const storeMenu = page.getByRole('navigation', { name: 'Склад' });
    await storeMenu.getByRole('link', { name: 'Остатки' }).waitFor();
    expect(await storeMenu.getByRole('link', { name: 'Утечки маржи' }).count()).toBe(0);
    // Typed in by hand, the address is refused without asking the server for costs.
    await page.goto(`${stack().baseURL}/stock/margin`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('heading', { name: 'Утечки маржи' }).count()).toBe(0);
    await expectAccessible(page, 'margin report refused');

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });
});
