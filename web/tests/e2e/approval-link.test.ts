/**
 * The client's approval link: the advisor sends it from the order card and reads it off the
 * screen; the client opens it on a phone in a browser that never saw the shop (no cookies), the
 * token leaves the address bar, two lines are approved and one declined; the advisor's card shows
 * the answer with the evidence the server recorded (address, browser, lines), the board marks the
 * order. A revoked, a tampered, a stale (a line changed after sending) and an expired link each get
 * a clear page of their own, and an answered link is not answered twice.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { formatMoney } from '../../src/format/money.ts';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uniquePhone, uuid } from './support.ts';

const PHONE = { width: 375, height: 667 };

let counter = 0;
const seed = Date.now() % 1_000_000;
function uniquePlate(): string {
  counter += 1;
  const letters = 'АВЕКМНОРСТУХ';
  const n = (seed + counter * 104_729) % 1_000_000;
  const pick = (k: number) => letters[k % letters.length];
  return `${pick(n)}${String(n % 1000).padStart(3, '0')}${pick(n >> 4)}${pick(n >> 8)}${150 + (counter % 40)}`;
}
function uniqueVin(): string {
  counter += 1;
  return `XTA21099${String((seed * 17 + counter) % 1_000_000_000).padStart(9, '0')}`;
}

interface Made {
  order: string;
  lines: { id: string; name: string }[];
  position: string;
}

/** A client, their car and an order with labour lines waiting for the client's decision. */
async function orderWithLines(api: Api, names: string[]): Promise<Made> {
  const client = uuid();
  const vehicle = uuid();
  const order = uuid();
  await api.send('client', client, 'register', {
    party: { kind: 'person', full_name: 'Клиентов Иван Сергеевич' },
    phones: [uniquePhone()],
  });
  await api.send('vehicle', vehicle, 'register', {
    vin: uniqueVin(),
    plate: uniquePlate(),
    make: 'Skoda',
    model: 'Octavia',
    year: 2019,
    owner: client,
  });
  let last = await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  const lines = [];
  for (const [i, name] of names.entries()) {
    const id = uuid();
    last = await api.send('work_order', order, 'add_labour_line', { line_id: id, name, norm_hours_tenths: 10 + i * 5 });
    lines.push({ id, name });
  }
  await settle(api, order, last.position);
  return { order, lines, position: last.position };
}

/**
 * Waits until the read models show `position`. Right after the stack starts the projector may
 * still be catching up with the demo shop's seed on a busy machine: the query API answers 503
 * after its own wait, and the next attempt waits again.
 */
async function settle(api: Api, order: string, position: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await api.query('query($id: UUID!) { workOrder(id: $id) { id } }', { id: order }, position);
      return;
    } catch (error) {
      if (attempt >= 6 || !String(error).includes('503')) throw error;
    }
  }
}

/** A link sent through the API (the reply carries the token once). */
async function sendLink(api: Api, order: string): Promise<{ linkId: string; url: string }> {
  const linkId = uuid();
  const answer = (await api.send('work_order', order, 'send_approval_link', { link_id: linkId })) as unknown as {
    reply: { token: string };
  };
  return { linkId, url: `${stack().baseURL}/approve#${answer.reply.token}` };
}

async function openCard(page: Page, order: string): Promise<void> {
  await page.goto(`${stack().baseURL}/orders/${order}`);
  await page
    .locator('[data-card-ready]')
    .waitFor({ timeout: 60_000 })
    .catch(async (e: unknown) => {
      throw new Error(`the card did not load: ${(await page.locator('body').innerText()).slice(-200)}`, { cause: e });
    });
}

/**
 * A link sent three days and an hour ago, written to the log as the API would have written it (no
 * test waits out 72 hours): a token made the API's way (the order's id and 32 random bytes) whose
 * hash the event keeps, bound to the estimate's current revision, so only its time is past.
 */
async function expiredLink(order: string, revision: string): Promise<string> {
  const secret = randomBytes(32);
  const token = Buffer.concat([Buffer.from(order.replace(/-/g, ''), 'hex'), secret]).toString('base64url');
  const sentAt = Date.now() - 73 * 3_600_000;
  const payload = {
    type: 'ApprovalLinkIssued',
    link_id: uuid(),
    token_hash: createHash('sha256').update(secret).digest('hex'),
    revision,
    expires_at: new Date(sentAt + 72 * 3_600_000).toISOString(),
    by: uuid(),
    at: new Date(sentAt).toISOString(),
  };
  const metadata = { actor: 'system:e2e', correlation_id: uuid(), causation_id: uuid() };
  const sql = `INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type, schema_version, payload, metadata)
    SELECT '${uuid()}', 'work_order', '${order}', max(stream_version) + 1, 'ApprovalLinkIssued', 1,
           '${JSON.stringify(payload)}'::jsonb, '${JSON.stringify(metadata)}'::jsonb
      FROM events WHERE stream_type = 'work_order' AND stream_id = '${order}'`;
  execFileSync('psql', [stack().databaseUrl, '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
  return token;
}

/** The client's page in a fresh, cookie-less phone-sized browser; returns its first heading. */
async function openAsClient(browser: Browser, url: string) {
  const tab = await newTab(browser, PHONE);
  expect(await tab.context.cookies()).toEqual([]);
  const requests: string[] = [];
  tab.page.on('request', (request) => requests.push(request.url()));
  await tab.page.goto(url);
  const heading = tab.page.locator('h1');
  await heading.waitFor();
  await tab.page.waitForFunction(() => !document.querySelector('.ap-status'));
  return { ...tab, requests };
}

describe('the approval link', () => {
  let browser: Browser;
  let api: Api;

  beforeAll(async () => {
    browser = await launch();
    api = await Api.as('advisor');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the client approves two lines and declines one; the advisor sees it with the evidence', async () => {
    const names = ['Замена масла двигателя', 'Замена салонного фильтра', 'Промывка инжектора'];
    const made = await orderWithLines(api, names);
    const card = await api.query<{ workOrder: { total: string; labour: string } }>(
      'query($id: UUID!) { workOrder(id: $id) { total labour } }',
      { id: made.order },
    );

    const advisor = await newTab(browser);
    await loginAs(advisor.page, 'advisor');
    await openCard(advisor.page, made.order);
    const panel = advisor.page.getByRole('region', { name: 'Согласование по ссылке' });
    await panel.getByRole('button', { name: 'Отправить ссылку на согласование' }).click();
    const urlField = panel.getByLabel('Ссылка для клиента');
    await urlField.waitFor();
    const url = await urlField.inputValue();
    expect(url).toMatch(new RegExp(`^${stack().baseURL}/approve#[A-Za-z0-9_-]{64}$`));
    const token = url.split('#')[1] ?? '';
    await panel.getByRole('img', { name: /QR-код/ }).waitFor();
    await panel.getByRole('button', { name: 'Скопировать' }).waitFor();
    await panel.locator('[data-link-state="live"]').getByText('отправлена', { exact: true }).waitFor();
    await expectAccessible(advisor.page, 'the approval link panel (sent)');

    // The client, on a phone, in a browser with no session.
    const client = await openAsClient(browser, url);
    const page = client.page;
    expect(page.url()).toBe(`${stack().baseURL}/approve`);
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    // Only this origin, and none of the staff app's code (its entry or the libraries' chunk).
    expect(client.requests.length).toBeGreaterThan(0);
    for (const request of client.requests) {
      expect(request.startsWith(`${stack().baseURL}/`), request).toBe(true);
      expect(request, request).not.toMatch(/\/assets\/(index|vendor)-/);
    }
    expect(client.requests.some((r) => /\/assets\/approve-.*\.js$/.test(r))).toBe(true);
    expect(client.requests.some((r) => r.includes(token))).toBe(false);
    await page.getByRole('heading', { name: /Смета по заказ-наряду/ }).waitFor();
    expect(await page.locator('.ap-shop').textContent()).not.toBe('');
    expect(await page.locator('.ap-car').textContent()).toContain('Skoda Octavia');
    expect(await page.locator('.ap-total').last().textContent()).toBe(formatMoney(card.workOrder.total));
    const line = (name: string) => page.getByRole('group', { name });
    for (const name of names) await line(name).waitFor();

    // Nothing goes without a decision on every line.
    await line(names[0] ?? '').getByText('Согласовать').click();
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await page.getByRole('alert').getByText(/для каждой строки/).waitFor();
    await line(names[1] ?? '').getByText('Согласовать').click();
    await line(names[2] ?? '').getByText('Отказаться').click();
    expect(await line(names[2] ?? '').getByRole('radio', { name: 'Отказаться' }).isChecked()).toBe(true);
    // Every line has its answer: the reminder has gone.
    expect(await page.locator('#ap-error').textContent()).toBe('');
    await page.getByLabel('Ваше имя (необязательно)').fill('Иван Клиентов');
    // The token is in the page's memory only: no storage, no address.
    expect(await page.evaluate(() => window.localStorage.length + window.sessionStorage.length)).toBe(0);
    await expectAccessible(page, 'the client approval page');
    await screenshot(page, 'approval-phone');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);

    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await page.getByRole('heading', { name: 'Спасибо!' }).waitFor();
    expect(await page.locator('.ap-thanks-approved').textContent()).toContain(names[0]);
    expect(await page.locator('.ap-thanks-approved').textContent()).toContain(names[1]);
    expect(await page.locator('.ap-thanks-declined').textContent()).toContain(names[2]);
    await expectAccessible(page, 'the client approval page (thanks)');
    expect(client.problems).toEqual([]);
    await client.context.close();

    // The advisor's card: answered, with the evidence.
    await openCard(advisor.page, made.order);
    const answered = panel.locator('[data-link-state="answered"]');
    await answered.waitFor();
    expect(await answered.getByText(/^клиент ответил /).count()).toBe(1);
    expect(await answered.getByText('Иван Клиентов').count()).toBe(1);
    expect(await answered.getByTestId('answer-address').textContent()).toBe('127.0.0.1');
    expect(await answered.getByTestId('answer-browser').textContent()).toMatch(/Chrome/);
    expect(await answered.getByTestId('answer-approved').textContent()).toBe(`${names[0]}; ${names[1]}`);
    expect(await answered.getByTestId('answer-declined').textContent()).toBe(names[2]);
    expect(await panel.getByRole('button', { name: /Отозвать/ }).count()).toBe(0);
    // Every line is decided now: nothing left to send.
    expect(await panel.getByRole('button', { name: 'Отправить ссылку на согласование' }).count()).toBe(0);
    await expectAccessible(advisor.page, 'the approval link panel (answered)');
    await panel.scrollIntoViewIfNeeded();
    await screenshot(advisor.page, 'approval-card');

    // The board marks the order.
    await advisor.page.goto(`${stack().baseURL}/board`);
    await advisor.page.locator(`[data-order-id="${made.order}"] [data-link-marker="answered"]`).waitFor({ timeout: 30_000 });
    expect(advisor.problems).toEqual([]);
    await advisor.context.close();

    // The same link does not take a second answer.
    const again = await openAsClient(browser, url);
    await again.page.getByRole('heading', { name: 'Ответ уже получен' }).waitFor();
    await again.context.close();
  }, 240_000);

  it('refuses a revoked, a tampered, a stale and an expired link with a clear page', async () => {
    const made = await orderWithLines(api, ['Диагностика подвески', 'Замена стоек стабилизатора']);
    const revoked = await sendLink(api, made.order);

    // Revoked from the card.
    const advisor = await newTab(browser);
    await loginAs(advisor.page, 'advisor');
    await openCard(advisor.page, made.order);
    const panel = advisor.page.getByRole('region', { name: 'Согласование по ссылке' });
    const item = panel.locator(`[data-link-id="${revoked.linkId}"]`);
    await item.getByRole('button', { name: /Отозвать/ }).click();
    await panel.locator(`[data-link-id="${revoked.linkId}"][data-link-state="revoked"]`).getByText('отозвана').waitFor();

    const refusedRevoked = await openAsClient(browser, revoked.url);
    await refusedRevoked.page.getByRole('heading', { name: 'Ссылка отозвана' }).waitFor();
    expect(await refusedRevoked.page.getByText('Сервис отозвал эту ссылку').count()).toBe(1);
    expect(refusedRevoked.page.url()).toBe(`${stack().baseURL}/approve`);
    await expectAccessible(refusedRevoked.page, 'the client page: revoked link');
    await refusedRevoked.context.close();

    // Tampered: one character of the secret changed.
    const live = await sendLink(api, made.order);
    const [base, token = ''] = live.url.split('#');
    const changed = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    const tampered = await openAsClient(browser, `${base}#${changed}`);
    await tampered.page.getByRole('heading', { name: 'Ссылка не найдена' }).waitFor();
    await expectAccessible(tampered.page, 'the client page: tampered link');
    expect(tampered.problems).toEqual([]);
    await tampered.context.close();

    // No token at all.
    const empty = await openAsClient(browser, `${base}`);
    await empty.page.getByRole('heading', { name: 'Ссылка не найдена' }).waitFor();
    await empty.context.close();

    // Stale: the advisor changes a line after sending.
    const changedLine = await api.send('work_order', made.order, 'change_labour_line', {
      line_id: made.lines[0]?.id,
      norm_hours_tenths: 25,
    });
    await settle(api, made.order, changedLine.position);
    const stale = await openAsClient(browser, live.url);
    await stale.page.getByRole('heading', { name: 'Смета изменилась' }).waitFor();
    expect(await stale.page.getByText(/попросите сервис прислать новую/).count()).toBe(1);
    await expectAccessible(stale.page, 'the client page: stale link');
    await stale.context.close();

    await openCard(advisor.page, made.order);
    await panel
      .locator(`[data-link-id="${live.linkId}"][data-link-state="voided"]`)
      .getByText('устарела: смета изменилась')
      .waitFor();
    expect(advisor.problems).toEqual([]);
    await advisor.context.close();

    // Expired: bound to the estimate as it is now, only its time is past.
    const current = await sendLink(api, made.order);
    const shown = (await (
      await fetch(`${stack().baseURL}/api/v1/public/approval/view`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: current.url.split('#')[1] }),
      })
    ).json()) as { revision: string };
    const expired = await openAsClient(browser, `${base}#${await expiredLink(made.order, shown.revision)}`);
    await expired.page.getByRole('heading', { name: 'Срок действия ссылки истёк' }).waitFor();
    await expectAccessible(expired.page, 'the client page: expired link');
    expect(expired.problems).toEqual([]);
    await expired.context.close();

    // Last, since it spends this address's allowance: the edge limits the public routes (no
    // account stands behind them), with the API's own error shape left to the API.
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${stack().baseURL}/api/v1/public/approval/view`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: changed }),
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 404).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 404 || s === 429)).toBe(true);
    // The staff's API is not limited by it.
    await api.query('{ me { employeeId } }');
  });
});
