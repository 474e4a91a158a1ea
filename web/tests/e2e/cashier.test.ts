/**
 * The cash desk in the browser: a completed order is invoiced, paid in two parts by two methods,
 * partly refunded, an overpayment refused in the domain's words, the debtor listed and opened back
 * at the cash desk; and the roles that may not take money do not see the way to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uniquePhone, uuid } from './support.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** The demo shop's fixed ids (command-api/examples/seed_demo.rs). */
const demoId = (n: number) => `0192f0c4-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const OIL_CHANGE = demoId(200);
const MECHANIC = demoId(102);

/** What the screen wrote, with its no-break spaces («1 400,00 ₽») as plain ones. */
const plain = (shown: string | null) => (shown ?? '').replace(/\u00a0/g, ' ');

function uniqueVin(): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
  let vin = 'XTA';
  for (let i = 0; i < 14; i++) vin += alphabet[Math.floor(Math.random() * alphabet.length)];
  return vin;
}

/** A new client's completed order (oil change 1 250 ₽ + filter 650 ₽ = 1 900 ₽), made by the advisor. */
async function completedOrder(clientName: string): Promise<{ orderId: string; number: string }> {
  const advisor = await Api.as('advisor');
  const [client, vehicle, order, labour, parts] = [uuid(), uuid(), uuid(), uuid(), uuid()];
  await advisor.send('client', client, 'register', {
    party: { kind: 'person', full_name: clientName },
    phones: [uniquePhone()],
  });
  await advisor.send('vehicle', vehicle, 'register', {
    vin: uniqueVin(),
    make: 'Lada',
    model: 'Granta',
    year: 2020,
    owner: client,
  });
  await advisor.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  await advisor.send('work_order', order, 'accept_vehicle', {
    mileage_km: 61_000,
    complaints: 'Плановое ТО',
    fuel_eighths: 4,
  });
  await advisor.send('work_order', order, 'add_labour_line', {
    line_id: labour,
    catalogue_service_id: OIL_CHANGE,
    mechanic: MECHANIC,
  });
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
  const done = await advisor.send('work_order', order, 'complete', {});
  const read = await advisor.query<{ workOrder: { number: string; status: string } }>(
    'query($id: UUID!) { workOrder(id: $id) { number status } }',
    { id: order },
    done.position,
  );
  expect(read.workOrder.status).toBe('completed');
  return { orderId: order, number: read.workOrder.number };
}

/** The machine is shared: reads after a command may take a few seconds. */
const SLOW = { timeout: 15_000, interval: 200 };

/** Waits for the command's outcome: its success message, or (failing the test) the refusal shown. */
async function expectDone(page: Page, message: string): Promise<void> {
  const outcome = page.getByRole('status').filter({ hasText: message }).or(page.getByRole('alert')).first();
  await outcome.waitFor({ timeout: 15_000 });
  expect(await outcome.textContent()).toBe(message);
}

const balance = async (page: Page) =>
  plain(await page.getByRole('status').filter({ hasText: 'К оплате:' }).textContent());

describe('the cash desk', () => {
  it('invoices a completed order, takes payments in parts, refunds and lists the debtor', async () => {
    const clientName = `Кассова Анна ${Date.now().toString(36)}`;
    const { number } = await completedOrder(clientName);

    const tab = await newTab(browser, { width: 1024, height: 768 });
    const { page } = tab;
    await loginAs(page, 'cashier');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Касса' }).click();
    await page.getByRole('heading', { name: 'Касса', level: 1 }).waitFor();
    const issue = page.getByRole('button', { name: `Выставить счёт по заказу ${number}` });
    await issue.waitFor();
    await expectAccessible(page, 'cashier: orders to invoice');

    // Issue: the new invoice opens with the server's total as the balance due.
    await issue.click();
    const heading = page.getByRole('heading', { name: /^Счёт СЧ-/, level: 2 });
    await heading.waitFor();
    await expect.poll(() => balance(page), SLOW).toBe('К оплате: 1 900,00 ₽');
    expect(await page.getByText(`Счёт по заказу ${number} выставлен.`).count()).toBe(1);
    const invoiceNumber = ((await heading.textContent()) ?? '').match(/СЧ-\d{4}-\d+/)?.[0] ?? '';
    expect(invoiceNumber).not.toBe('');
    const lines = page.getByRole('table', { name: /Позиции счёта/ });
    await expect.poll(() => lines.textContent(), SLOW).toContain('Замена масла в двигателе');
    expect(await lines.textContent()).toContain('Масляный фильтр (OC90)');
    // The amount starts at the whole balance.
    const amount = page.getByLabel('Сумма оплаты, ₽');
    expect(await amount.inputValue()).toBe('1900,00');
    await expectAccessible(page, 'cashier: invoice issued');

    // First part in cash.
    await amount.fill('500');
    await page.getByLabel('Способ оплаты').selectOption({ label: 'Наличные' });
    await page.getByRole('button', { name: 'Принять оплату' }).click();
    await expectDone(page, 'Оплата принята.');
    await expect.poll(() => balance(page), SLOW).toBe('К оплате: 1 400,00 ₽');
    await expect.poll(() => amount.inputValue(), SLOW).toBe('1400,00');

    // Second part by card.
    await amount.fill('600');
    await page.getByLabel('Способ оплаты').selectOption({ label: 'Банковская карта' });
    await page.getByRole('button', { name: 'Принять оплату' }).click();
    await expectDone(page, 'Оплата принята.');
    await expect.poll(() => balance(page), SLOW).toBe('К оплате: 800,00 ₽');

    // Part of it back.
    await page.getByLabel('Сумма возврата, ₽').fill('200');
    await page.getByLabel('Способ возврата').selectOption({ label: 'Наличные' });
    await page.getByLabel('Причина возврата').fill('Фильтр клиента не понадобился');
    await page.getByRole('button', { name: 'Оформить возврат' }).click();
    await expectDone(page, 'Возврат оформлен.');
    await expect.poll(() => balance(page), SLOW).toBe('К оплате: 1 000,00 ₽');
    const summary = page.getByRole('region', { name: 'Итоги счёта' });
    expect(plain(await summary.textContent())).toContain('1 100,00 ₽');
    expect(plain(await summary.textContent())).toContain('200,00 ₽');

    // The journal, oldest first.
    const journal = page.getByRole('table', { name: 'Журнал оплат' });
    const rows = journal.getByRole('row');
    await expect.poll(() => rows.count(), SLOW).toBe(4);
    expect(plain(await rows.nth(1).textContent())).toMatch(/Оплата.*Наличные.*500,00 ₽/);
    expect(plain(await rows.nth(2).textContent())).toMatch(/Оплата.*Банковская карта.*600,00 ₽/);
    expect(plain(await rows.nth(3).textContent())).toMatch(/Возврат.*Наличные.*200,00.*Фильтр клиента не понадобился/);
    await expectAccessible(page, 'cashier: paid in part and refunded');
    // The whole page from its top, where the sticky totals sit in their own place.
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'cashier');

    // More than owed: the domain refuses and says what is due.
    await amount.fill('5000');
    await page.getByRole('button', { name: 'Принять оплату' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'больше остатка' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('1000.00');
    expect(await amount.inputValue()).toBe('5000');
    expect(await balance(page)).toBe('К оплате: 1 000,00 ₽');
    await expectAccessible(page, 'cashier: overpayment refused');

    // Voiding with money on the invoice: the server's words.
    await page.getByLabel('Причина аннулирования').fill('Ошибка в счёте');
    await page.getByRole('button', { name: 'Аннулировать счёт' }).click();
    await page.getByRole('alert').filter({ hasText: 'сначала оформите возврат' }).waitFor();

    // The debtor, and back to the cash desk with the invoice open.
    await page.getByRole('link', { name: 'Должники' }).first().click();
    await page.getByRole('heading', { name: 'Должники', level: 1 }).waitFor();
    const debtor = page.getByRole('row').filter({ hasText: clientName });
    await debtor.waitFor();
    expect(plain(await debtor.textContent())).toContain('1 000,00 ₽');
    await expectAccessible(page, 'debtors');
    await screenshot(page, 'debtors');
    await debtor.getByRole('link', { name: `Открыть счёт ${invoiceNumber} в кассе` }).click();
    await page.getByRole('heading', { name: new RegExp(`Счёт ${invoiceNumber}`), level: 2 }).waitFor();
    expect(page.url()).toContain('/cashier?invoice=');
    expect(await balance(page)).toBe('К оплате: 1 000,00 ₽');

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('is closed to a mechanic', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'mechanic');
    const nav = page.getByRole('navigation', { name: 'Разделы' });
    await nav.waitFor();
    expect(await nav.getByRole('link', { name: 'Касса' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Должники' }).count()).toBe(0);

    await page.goto(`${stack().baseURL}/cashier`);
    await page.getByRole('alert').filter({ hasText: 'Этот раздел недоступен' }).waitFor();
    expect(await page.getByRole('button', { name: 'Принять оплату' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Выставить счёт/ }).count()).toBe(0);
    await expectAccessible(page, 'cashier: mechanic refused');
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('shows an advisor the debtors without the cash desk’s actions', async () => {
    const clientName = `Должникова Вера ${Date.now().toString(36)}`;
    const { orderId } = await completedOrder(clientName);
    const cashier = await Api.as('cashier');
    const issued = await cashier.send('invoice', uuid(), 'issue', { work_order_id: orderId });
    await cashier.query('{ debtors { clientId } }', {}, issued.position);

    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'advisor');
    const nav = page.getByRole('navigation', { name: 'Разделы' });
    expect(await nav.getByRole('link', { name: 'Касса' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Должники' }).click();
    await page.getByRole('heading', { name: 'Должники', level: 1 }).waitFor();
    const debtor = page.getByRole('row').filter({ hasText: clientName });
    await debtor.waitFor();
    expect(plain(await debtor.textContent())).toContain('1 900,00 ₽');
    expect(await debtor.getByRole('link').count()).toBe(0);
    await expectAccessible(page, 'debtors: advisor');
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });
});
