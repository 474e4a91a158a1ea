/**
 * `make bench-web`: how fast the board is drawn for a shop with 200 active orders, against the
 * GraphQL query that feeds it, measured in the same run on the same machine.
 *
 *   board_ready_ms       median of 20 loads: navigation to the board's 200 tiles drawn (a logged-in
 *                        tab: the refresh cookie, `me`, the board's query, the render)
 *   board_query_ms       median of 20: the board's own GraphQL request alone, through nginx
 *   order_card_ready_ms  median of 20 loads: navigation to an order card drawn
 *   bundle_kb_gz         the built JavaScript, gzipped, in KiB
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { boardVariables } from '../src/board/board.ts';
import { BoardDocument } from '../src/board/queries.ts';
import { Api, launch, loginAs, newTab, stack, uuid } from '../tests/e2e/support.ts';
import { REPO, WEB } from '../tests/e2e/stack.ts';

const ORDERS = Number(process.env.BENCH_WEB_ORDERS ?? 200);
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 20);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function fillShop(api: Api): Promise<string> {
  const catalogue = await api.query<{ catalogue: { id: string }[] }>('{ catalogue { id } }');
  const service = catalogue.catalogue[0]?.id;
  let last = '';
  for (let n = 0; n < ORDERS; n++) {
    const client = uuid();
    const vehicle = uuid();
    const order = uuid();
    await api.send('client', client, 'register', {
      party: { kind: 'person', full_name: `Клиент Стендовый ${n}` },
      phones: [`+7900${String(10_000_000 + n).slice(1)}`],
    });
    await api.send('vehicle', vehicle, 'register', {
      vin: null,
      plate: `А${String(100 + (n % 900)).padStart(3, '0')}АА${String(10 + (n % 89))}`,
      make: 'Lada',
      model: 'Granta',
      year: 2020,
      owner: client,
    });
    await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
    await api.send('work_order', order, 'accept_vehicle', { mileage_km: 10_000 + n, complaints: 'ТО', fuel_eighths: 4 });
    const answer = await api.send('work_order', order, 'add_labour_line', { line_id: uuid(), catalogue_service_id: service });
    last = answer.position;
  }
  return last;
}

it('draws the board for a busy shop', async () => {
  const owner = await Api.as('owner');
  const position = await fillShop(owner);
  const browser = await launch();
  try {
    const { page } = await newTab(browser);
    await loginAs(page, 'owner');
    const { baseURL } = stack();

    // The board's own request, with the variables the app sends for the owner's unfiltered board
    // (the active columns and «closed today»), alone.
    const variables = boardVariables({ view: 'status', mechanic: '', day: '', status: '' }, { client: true, vehicle: true });
    await owner.query(BoardDocument.toString(), variables, position);
    const queryTimes: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const started = performance.now();
      await owner.query(BoardDocument.toString(), variables);
      queryTimes.push(performance.now() - started);
    }

    const boardTimes: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const started = performance.now();
      await page.goto(`${baseURL}/board`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-order-id]').length >= n, ORDERS, { timeout: 30_000 });
      boardTimes.push(performance.now() - started);
    }

    const orderId = await page.locator('[data-order-id]').first().getAttribute('data-order-id');
    expect(orderId).toBeTruthy();
    const cardTimes: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const started = performance.now();
      await page.goto(`${baseURL}/orders/${orderId}`);
      await page.locator('[data-card-ready]').waitFor({ timeout: 30_000 });
      cardTimes.push(performance.now() - started);
    }

    const assets = join(WEB, 'dist', 'assets');
    const bundle = readdirSync(assets)
      .filter((file) => file.endsWith('.js'))
      .reduce((sum, file) => sum + gzipSync(readFileSync(join(assets, file)), { level: 9 }).length, 0);

    const line =
      `bench web: board_ready_ms=${median(boardTimes).toFixed(0)} board_query_ms=${median(queryTimes).toFixed(1)} ` +
      `order_card_ready_ms=${median(cardTimes).toFixed(0)} bundle_kb_gz=${(bundle / 1024).toFixed(1)} orders=${ORDERS} loads=${LOADS}`;
    mkdirSync(join(REPO, 'target'), { recursive: true });
    writeFileSync(join(REPO, 'target', 'bench-web.txt'), `${line}\n`);
    console.log(line);
  } finally {
    await browser.close();
  }
});
