/**
 * The auditor's time travel: an advisor opens an order and adds two lines (through the API); the
 * auditor finds the order by its number, reads its history as a timeline and moves through it with
 * the slider (by keyboard), seeing the card (lines, totals) as it was before and after the second
 * line was added, exactly as the query API folded it. An invoice likewise: its balance and status
 * before and after a payment. The screen offers nothing that changes anything, and is accessible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uniquePhone, uuid } from './support.ts';

const seed = Date.now().toString(36).toUpperCase();
const SETTLE = { timeout: 15_000 };
const order = uuid();
const labourName = `Замена ремня ГРМ ${seed}`;
const partName = `Ремень ГРМ ${seed}`;

let browser: Browser;
let auditor: Api;
let number = '';

interface At {
  version: number;
  totals: { total: string; parts: string };
  lines: { description: string }[];
}

/** «1 234,50 ₽» from "1234.50", as web/src/format/money.ts writes it (kept apart on purpose). */
function rub(amount: string): string {
  const [whole = '0', fraction = '00'] = amount.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')},${fraction.padEnd(2, '0')}\u00a0₽`;
}

const kopecks = (amount: string) => Number(amount.replace('.', ''));

beforeAll(async () => {
  browser = await launch();
  const advisor = await Api.as('advisor');
  auditor = await Api.as('auditor');
  const client = uuid();
  const vehicle = uuid();
  await advisor.send('client', client, 'register', { party: { kind: 'person', full_name: `Ларионов Глеб ${seed}` }, phones: [uniquePhone()] });
  const n = Date.now() % 1000;
  await advisor.send('vehicle', vehicle, 'register', { plate: `К${String(n).padStart(3, '0')}КК77`, make: 'Skoda', model: 'Octavia', year: 2019, owner: client });
  await advisor.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  await advisor.send('work_order', order, 'add_labour_line', { line_id: uuid(), name: labourName, norm_hours_tenths: 20 });
  const last = await advisor.send('work_order', order, 'add_parts_line', {
    line_id: uuid(),
    part_number: `CT${seed}`,
    name: partName,
    quantity_thousandths: 1000,
    unit_price_kopecks: 456_780,
  });
  const card = await advisor.query<{ workOrder: { number: string } }>(
    'query($id: UUID!) { workOrder(id: $id) { number } }',
    { id: order },
    last.position,
  );
  number = card.workOrder.number;
});
afterAll(async () => {
  await browser?.close();
});

async function stateAt(version: number): Promise<At> {
  const { workOrderAt } = await auditor.query<{ workOrderAt: At }>(
    'query($id: UUID!, $v: Int!) { workOrderAt(id: $id, version: $v) { version totals { total parts } lines { description } } }',
    { id: order, v: version },
  );
  return workOrderAt;
}

describe('the auditor’s screen', () => {
  it('moves through an order’s history and shows its totals as they were then', async () => {
    // The server's fold: v2 one line, v3 both; the second line adds 4 567,80 ₽.
    const before = await stateAt(2);
    const after = await stateAt(3);
    expect(before.lines.map((l) => l.description)).toEqual([labourName]);
    expect(after.lines.map((l) => l.description)).toEqual([labourName, partName]);
    expect(kopecks(after.totals.total) - kopecks(before.totals.total)).toBe(456_780);

    const { page, problems } = await newTab(browser);
    await loginAs(page, 'auditor');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Аудит' }).click();
    await page.getByRole('heading', { name: 'Аудит', level: 1 }).waitFor();
    await page.getByLabel('Номер заказ-наряда, клиент, телефон, госномер или VIN').fill(number);
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByRole('link', { name: new RegExp(number) }).first().click(SETTLE);
    await page.getByRole('heading', { name: 'История: заказ-наряд', level: 1 }).waitFor();

    // The timeline: every event with its actor, time and request.
    const timeline = page.getByRole('list', { name: 'События' });
    await expect.poll(() => timeline.getByRole('listitem').count(), SETTLE).toBe(3);
    const first = timeline.getByRole('listitem').first();
    expect(await first.innerText()).toMatch(/Открыт заказ-наряд № /);
    expect(await first.innerText()).toMatch(/Запрос: [0-9a-f-]{36}/);
    expect(await first.innerText()).toMatch(/\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/);

    // Now: after the last event, both lines.
    const state = page.getByRole('region', { name: `Заказ-наряд № ${number}` });
    const total = state.getByTestId('audit-total');
    await expect.poll(() => total.innerText(), SETTLE).toBe(rub(after.totals.total));
    expect(await state.getByRole('row').count()).toBe(3);

    // One step back with the keyboard: before the parts line was added.
    const slider = page.getByRole('slider', { name: 'Событие' });
    expect(await slider.getAttribute('aria-valuetext')).toMatch(/^Событие 3 из 3: /);
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => total.innerText(), SETTLE).toBe(rub(before.totals.total));
    await expect.poll(() => state.getByRole('row').count(), SETTLE).toBe(2);
    expect(await state.getByRole('rowheader', { name: partName }).count()).toBe(0);
    expect(await slider.getAttribute('aria-valuetext')).toMatch(/^Событие 2 из 3: /);
    expect(page.url()).toMatch(/\?v=2$/);
    await screenshot(page, 'audit');

    // And forward again through the timeline's own link.
    await timeline.getByRole('link', { name: /Состояние после события № 3/ }).click();
    await expect.poll(() => total.innerText(), SETTLE).toBe(rub(after.totals.total));
    await state.getByRole('rowheader', { name: new RegExp(partName) }).waitFor();

    // The very first instant: the order opened, no lines, nothing to pay.
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => total.innerText(), SETTLE).toBe(rub('0.00'));
    await state.getByText('Строк ещё не было.').waitFor();

    // Read-only: the only button left is the session's own «Выйти».
    const buttons = await page.getByRole('button').allInnerTexts();
    expect(buttons.map((b) => b.trim()).sort()).toEqual(['Выйти']);
    await expectAccessible(page, 'audit');
    expect(problems).toEqual([]);
  });

  it('shows an invoice’s balance as it was before and after a payment', async () => {
    // A completed order (one part, 5 000 ₽) invoiced and part-paid through the API.
    const advisor = await Api.as('advisor');
    const cashier = await Api.as('cashier');
    const [client, vehicle, paidOrder, line, invoice] = [uuid(), uuid(), uuid(), uuid(), uuid()];
    const clientName = `Счетова Алла ${seed}`;
    await advisor.send('client', client, 'register', { party: { kind: 'person', full_name: clientName }, phones: [uniquePhone()] });
    const vin = `XWE${Array.from({ length: 14 }, () => 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'[Math.floor(Math.random() * 33)]).join('')}`;
    await advisor.send('vehicle', vehicle, 'register', { vin, make: 'Kia', model: 'Rio', year: 2017, owner: client });
    await advisor.send('work_order', paidOrder, 'open', { client_id: client, vehicle_id: vehicle });
    await advisor.send('work_order', paidOrder, 'accept_vehicle', { mileage_km: 72_000, complaints: 'Не заводится', fuel_eighths: 2 });
    await advisor.send('work_order', paidOrder, 'add_parts_line', {
      line_id: line,
      part_number: `AK${seed}`,
      name: `Аккумулятор ${seed}`,
      quantity_thousandths: 1000,
      unit_price_kopecks: 500_000,
    });
    await advisor.send('work_order', paidOrder, 'record_approval', {
      decisions: [{ line_id: line, decision: 'approve' }],
      by: clientName,
      channel: { kind: 'in_person' },
    });
    await advisor.send('work_order', paidOrder, 'start_work', {});
    await advisor.send('work_order', paidOrder, 'complete', {});
    await cashier.send('invoice', invoice, 'issue', { work_order_id: paidOrder });
    await cashier.send('invoice', invoice, 'record_payment', { payment_id: uuid(), amount_kopecks: 120_000, method: 'cash' });

    // The server's fold: unpaid for the whole, then 1 200 ₽ less owed.
    const invoiceAt = async (v: number) =>
      (
        await auditor.query<{ invoiceAt: { status: string; balance: string; paid: string; number: string; workOrderNumber: string } }>(
          'query($id: UUID!, $v: Int!) { invoiceAt(id: $id, version: $v) { status balance paid number workOrderNumber } }',
          { id: invoice, v },
        )
      ).invoiceAt;
    const issued = await invoiceAt(1);
    const paid = await invoiceAt(2);
    expect(issued.status).toBe('unpaid');
    expect(paid.status).toBe('partially_paid');
    expect(kopecks(issued.balance) - kopecks(paid.balance)).toBe(120_000);
    expect(paid.paid).toBe('1200.00');

    const { page, problems } = await newTab(browser);
    await loginAs(page, 'auditor');
    // Invoices are not in the search: the auditor opens one by its address.
    await page.goto(`${stack().baseURL}/audit/invoice/${invoice}`);
    await page.getByRole('heading', { name: 'История: счёт', level: 1 }).waitFor(SETTLE);
    const timeline = page.getByRole('list', { name: 'События' });
    await expect.poll(() => timeline.getByRole('listitem').count(), SETTLE).toBe(2);

    // Now: after the payment.
    const state = page.getByRole('region', { name: `Счёт № ${paid.number}` });
    const balance = state.getByTestId('audit-balance');
    const status = state.getByTestId('audit-invoice-status');
    await expect.poll(() => balance.innerText(), SETTLE).toBe(rub(paid.balance));
    expect(await status.innerText()).toBe('Оплачен частично');
    expect(await state.getByTestId('audit-paid').innerText()).toBe(rub('1200.00'));
    expect(await state.getByRole('rowheader', { name: new RegExp(`Аккумулятор ${seed}`) }).count()).toBe(1);

    // One step back: as issued, the whole owed, nothing paid.
    const slider = page.getByRole('slider', { name: 'Событие' });
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => balance.innerText(), SETTLE).toBe(rub(issued.balance));
    await expect.poll(() => status.innerText(), SETTLE).toBe('Не оплачен');
    expect(await state.getByTestId('audit-paid').innerText()).toBe(rub('0.00'));
    expect(page.url()).toMatch(/\?v=1$/);
    await expectAccessible(page, 'audit: invoice');
    await screenshot(page, 'audit-invoice');

    // The order it was issued from opens its own history.
    await state.getByRole('link', { name: `История заказ-наряда № ${paid.workOrderNumber}` }).click();
    await page.getByRole('heading', { name: 'История: заказ-наряд', level: 1 }).waitFor(SETTLE);
    await page.getByRole('region', { name: `Заказ-наряд № ${paid.workOrderNumber}` }).waitFor(SETTLE);
    expect(problems).toEqual([]);
  });

  it('is not offered to an advisor', async () => {
    const { page, problems } = await newTab(browser, { width: 1024, height: 768 });
    await loginAs(page, 'advisor');
    const sections = page.getByRole('navigation', { name: 'Разделы' });
    await sections.getByRole('link', { name: 'Доска' }).waitFor();
    expect(await sections.getByRole('link', { name: 'Аудит' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
