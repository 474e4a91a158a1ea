/**
 * The board: the advisor sees every order in its status column with what it waits for, a late
 * promise marked in words, moves an order on from its tile (and reads the domain's refusal when it
 * says no), switches to one column per mechanic and keeps filters across a reload; a mechanic sees
 * only the orders with their lines and no button their role cannot use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uuid } from './support.ts';

// The demo shop's fixed ids (command-api/examples/seed_demo.rs: id(n) = 0192f0c4-0000-7000-8000-… | n).
const demoId = (n: number) => `0192f0c4-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const OIL_CHANGE = demoId(200);
const MECHANIC = demoId(102);
const DEMO_ORDERS = [demoId(501), demoId(502), demoId(503)];

const COLUMN: Record<string, string> = {
  draft: 'Черновик / смета',
  accepted: 'Принят',
  approved: 'Согласован',
  in_progress: 'В работе',
  completed: 'Выполнен',
};

type Stage = 'draft' | 'accepted' | 'approved' | 'in_progress' | 'pending_in_progress' | 'completed' | 'closed';

interface Made {
  id: string;
  number: string;
  position: string;
}

let run = 0;
const phoneBase = Date.now() % 9_000_000;
/** A mobile number no other client has: a base from the clock and a counter. */
function uniquePhone(): string {
  run += 1;
  return `+7917${String((phoneBase + run) % 10_000_000).padStart(7, '0')}`;
}
/** A plate no other test uses: «Е 123 КХ 77»-shaped, with digits from the clock. */
function uniquePlate(): string {
  run += 1;
  const letters = 'АВЕКМНОРСТУХ';
  const n = (Date.now() + run * 7919) % 1_000_000;
  const pick = (k: number) => letters[k % letters.length];
  return `${pick(n)}${String(n % 1000).padStart(3, '0')}${pick(n >> 3)}${pick(n >> 7)}${77 + (run % 20)}`;
}

/** An order of a new client's new car, taken through the lifecycle up to `stage` over the API. */
async function makeOrder(
  api: Api,
  stage: Stage,
  options: { client: string; make: string; model: string; mechanic?: string | null; promisedAt?: string },
): Promise<Made> {
  const client = uuid();
  const vehicle = uuid();
  const order = uuid();
  const labour = uuid();
  await api.send('client', client, 'register', { party: { kind: 'person', full_name: options.client }, phones: [uniquePhone()] });
  await api.send('vehicle', vehicle, 'register', {
    vin: null,
    plate: uniquePlate(),
    make: options.make,
    model: options.model,
    year: 2019,
    owner: client,
  });
  let last = await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  if (options.promisedAt) last = await api.send('work_order', order, 'set_promised_time', { promised_at: options.promisedAt });
  if (stage !== 'draft') {
    last = await api.send('work_order', order, 'accept_vehicle', { mileage_km: 61_000, complaints: 'Стук спереди', fuel_eighths: 3 });
    const mechanic = options.mechanic === undefined ? MECHANIC : options.mechanic;
    last = await api.send('work_order', order, 'add_labour_line', { line_id: labour, catalogue_service_id: OIL_CHANGE, mechanic });
  }
  if (stage !== 'draft' && stage !== 'accepted') {
    last = await api.send('work_order', order, 'record_approval', {
      decisions: [{ line_id: labour, decision: 'approve' }],
      by: options.client,
      channel: { kind: 'in_person' },
    });
  }
  if (stage === 'in_progress' || stage === 'pending_in_progress' || stage === 'completed' || stage === 'closed') {
    last = await api.send('work_order', order, 'start_work', {});
  }
  if (stage === 'pending_in_progress') {
    // Found under way: a second line the client has not decided on yet.
    last = await api.send('work_order', order, 'add_labour_line', { line_id: uuid(), catalogue_service_id: OIL_CHANGE, mechanic: null });
  }
  if (stage === 'completed' || stage === 'closed') last = await api.send('work_order', order, 'complete', {});
  if (stage === 'closed') last = await api.send('work_order', order, 'close', {});
  const { workOrder } = await api.query<{ workOrder: { number: string } }>(
    'query($id: UUID!) { workOrder(id: $id) { number } }',
    { id: order },
    last.position,
  );
  return { id: order, number: workOrder.number, position: last.position };
}

const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

const column = (page: Page, title: string): Locator => page.getByRole('region', { name: title, exact: true });
const tileLink = (scope: Page | Locator, number: string): Locator =>
  scope.getByRole('link', { name: `Заказ-наряд № ${number}`, exact: true });
/** A tile (the link's article): `has` takes a locator relative to the article, so built from the page. */
const tile = (scope: Page | Locator, number: string): Locator => {
  const page = 'page' in scope && typeof scope.page === 'function' ? scope.page() : (scope as Page);
  return scope.getByRole('article').filter({ has: tileLink(page, number) });
};

async function openBoard(page: Page, search = ''): Promise<void> {
  await page.goto(`${stack().baseURL}/board${search}`);
  await page.getByRole('heading', { name: 'Доска заказов' }).waitFor();
  await page.getByRole('region').first().waitFor();
}

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the board', () => {
  it('shows the shop’s orders by status, a late promise, moves an order on and groups by mechanic', async () => {
    const api = await Api.as('advisor');
    // A second mechanic on the floor, so the per-mechanic view has more than one column.
    const colleague = uuid();
    await (await Api.as('owner')).send('staff', 'main', 'hire', {
      employee_id: colleague,
      full_name: 'Андреев Виктор',
      position: 'Механик',
      email: `andreev-${Date.now()}@motor.demo`,
      roles: ['mechanic'],
    });
    // A busy shop: the demo orders and a few more in every state.
    const draft = await makeOrder(api, 'draft', { client: 'Никитин Олег', make: 'Kia', model: 'Rio', promisedAt: hoursFromNow(26) });
    const waiting = await makeOrder(api, 'accepted', { client: 'Белова Ирина', make: 'Hyundai', model: 'Solaris', mechanic: null });
    const approved = await makeOrder(api, 'approved', { client: 'Фролов Денис', make: 'Skoda', model: 'Octavia', promisedAt: hoursFromNow(5) });
    const late = await makeOrder(api, 'in_progress', { client: 'Захаров Илья', make: 'Renault', model: 'Duster', promisedAt: hoursFromNow(-2) });
    const pending = await makeOrder(api, 'pending_in_progress', { client: 'Егорова Анна', make: 'Ford', model: 'Focus', mechanic: colleague });
    const done = await makeOrder(api, 'completed', { client: 'Соколов Павел', make: 'Nissan', model: 'Qashqai', promisedAt: hoursFromNow(1), mechanic: colleague });
    const handedOver = await makeOrder(api, 'closed', { client: 'Морозова Вера', make: 'Mazda', model: 'CX-5' });

    const demo = await Promise.all(
      DEMO_ORDERS.map(async (id) => {
        const { workOrder } = await api.query<{ workOrder: { number: string; status: string } }>(
          'query($id: UUID!) { workOrder(id: $id) { number status } }',
          { id },
          handedOver.position,
        );
        return workOrder;
      }),
    );

    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'advisor');
    await openBoard(page);

    // Every demo order still on the floor is in the column of its status.
    for (const order of demo) {
      const title = COLUMN[order.status];
      if (title) await tileLink(column(page, title), order.number).waitFor();
    }
    await tileLink(column(page, 'Черновик / смета'), draft.number).waitFor();
    await tileLink(column(page, 'Принят'), waiting.number).waitFor();
    await tileLink(column(page, 'Согласован'), approved.number).waitFor();
    await tileLink(column(page, 'Выполнен'), done.number).waitFor();
    await tileLink(column(page, 'Выдан сегодня'), handedOver.number).waitFor();
    expect(await tileLink(page, draft.number).getAttribute('href')).toBe(`/orders/${draft.id}`);

    // What each tile waits for, in words.
    const waitingTile = tile(page, waiting.number);
    expect(await waitingTile.textContent()).toContain('Ждёт согласования: 1 строка');
    expect(await waitingTile.textContent()).toContain('Белова Ирина');
    expect(await waitingTile.textContent()).toContain('Hyundai Solaris');
    // The late promise: marked red and said in words.
    const lateTile = tile(column(page, 'В работе'), late.number);
    expect(await lateTile.textContent()).toContain('просрочен');
    expect(await lateTile.getAttribute('class')).toContain('tile--late');
    expect(await tile(page, approved.number).textContent()).not.toContain('просрочен');
    expect(await tile(page, approved.number).textContent()).toContain('Срок:');
    await expectAccessible(page, 'board');
    await screenshot(page, 'board');

    // The board refreshes itself: an order received at the desk appears without a reload.
    const arriving = await makeOrder(api, 'accepted', { client: 'Крылов Максим', make: 'BMW', model: 'X3' });
    await tileLink(column(page, 'Принят'), arriving.number).waitFor({ timeout: 15_000 });

    // Moving an approved order into work from its tile.
    await tile(page, approved.number).getByRole('button', { name: /^Начать работы/ }).click();
    await tileLink(column(page, 'В работе'), approved.number).waitFor();
    expect(await tileLink(column(page, 'Согласован'), approved.number).count()).toBe(0);
    await page.getByRole('status').filter({ hasText: `Заказ № ${approved.number}: В работе` }).waitFor({ state: 'attached' });

    // The domain refuses to complete an order with a line still waiting for the client: its words, by the tile.
    const pendingTile = tile(column(page, 'В работе'), pending.number);
    await pendingTile.getByRole('button', { name: /^Работы выполнены/ }).click();
    const refusal = pendingTile.getByRole('alert');
    await refusal.waitFor();
    expect((await refusal.textContent())?.trim().length).toBeGreaterThan(0);
    await tileLink(column(page, 'В работе'), pending.number).waitFor();
    await expectAccessible(page, 'board with a refusal');

    // One column per mechanic; the order with nobody on its lines under «Без механика».
    await page.getByRole('button', { name: 'По механикам' }).click();
    // The view changes through the address: wait for the re-render, not the click's return.
    await expect
      .poll(() => page.getByRole('button', { name: 'По механикам' }).getAttribute('aria-pressed'))
      .toBe('true');
    await tileLink(column(page, 'Сидоров Пётр'), late.number).waitFor();
    await tileLink(column(page, 'Андреев Виктор'), done.number).waitFor();
    expect(await tileLink(column(page, 'Сидоров Пётр'), done.number).count()).toBe(0);
    await tileLink(column(page, 'Без механика'), draft.number).waitFor();
    await tileLink(column(page, 'Без механика'), waiting.number).waitFor();
    expect(page.url()).toContain('view=mechanic');
    await expectAccessible(page, 'board by mechanic');
    await screenshot(page, 'board-mechanics');

    // Filters live in the address: a reload keeps them.
    await page.getByRole('button', { name: 'По статусам' }).click();
    await page.getByLabel('Статус').selectOption({ label: 'Согласован' });
    await page.waitForURL(/status=approved/);
    await page.reload();
    await page.getByRole('heading', { name: 'Доска заказов' }).waitFor();
    expect(await page.getByLabel('Статус').inputValue()).toBe('approved');
    await column(page, 'Согласован').waitFor();
    expect(await column(page, 'В работе').count()).toBe(0);
    await page.getByRole('button', { name: 'Сбросить фильтры' }).click();
    await column(page, 'В работе').waitFor();
    expect(tab.problems).toEqual([]);

    // A tile opens its order card, by keyboard too, without reloading the app.
    await tileLink(page, late.number).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/orders/${late.id}`);
    await page.getByRole('button', { name: 'Выйти' }).waitFor();
    await tab.context.close();
  });

  it('shows a mechanic only the orders with their lines, and no step their role cannot take', async () => {
    const api = await Api.as('advisor');
    const theirs = await makeOrder(api, 'approved', { client: 'Лебедев Антон', make: 'Lada', model: 'Largus' });
    const notTheirs = await makeOrder(api, 'approved', { client: 'Гусева Нина', make: 'Chery', model: 'Tiggo', mechanic: null });

    const tab = await newTab(browser, { width: 1024, height: 768 });
    const { page } = tab;
    await loginAs(page, 'mechanic');
    await openBoard(page);
    await page.getByRole('link', { name: 'Заказ-наряд № ' + theirs.number, exact: true }).waitFor();
    const theirTile = tile(column(page, 'Согласован'), theirs.number);
    expect(await theirTile.textContent()).toContain('Lada Largus');
    expect(await tileLink(page, notTheirs.number).count()).toBe(0);
    // A mechanic moves labour lines on the order card, not orders on the board; no mechanic filter either.
    expect(await page.getByRole('button', { name: /^(Начать работы|Работы выполнены|Выдать автомобиль)/ }).count()).toBe(0);
    expect(await page.getByLabel('Механик').count()).toBe(0);
    await expectAccessible(page, 'board for a mechanic');
    await screenshot(page, 'board-mechanic-role');

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });
});
