/**
 * The order card meets the store: the advisor finds a catalogue part from the parts form, the
 * number and name come from the catalogue, and the line reserves the part — to order, since the
 * shelf is empty and the advisor may backorder — which the stock list shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, stack, uniquePhone, uuid } from './support.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const plain = (shown: string | null) => (shown ?? '').replace(/\u00a0/g, ' ');
const SETTLE = { timeout: 15_000 };

function uniqueVin(): string {
  return `XTA21099${String(Date.now() % 1_000_000_000).padStart(9, '0')}`;
}

describe('a parts line from the catalogue', () => {
  it('fills the line from the part and reserves it to order', async () => {
    const number = `OC ${Date.now().toString(36).toUpperCase()}`;
    const owner = await Api.as('owner');
    await owner.send('part', uuid(), 'register', {
      number,
      brand: 'KNECHT',
      name: 'Фильтр масляный KNECHT',
      unit: 'pcs',
      category: 'filters',
    });
    const advisor = await Api.as('advisor');
    const [client, vehicle, order] = [uuid(), uuid(), uuid()];
    await advisor.send('client', client, 'register', {
      party: { kind: 'person', full_name: 'Орлова Мария Сергеевна' },
      phones: [uniquePhone()],
    });
    await advisor.send('vehicle', vehicle, 'register', { vin: uniqueVin(), make: 'Kia', model: 'Rio', year: 2018, owner: client });
    const opened = await advisor.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
    await advisor.query('query($id: UUID!) { workOrder(id: $id) { id } }', { id: order }, opened.position);

    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'advisor');
    await page.goto(`${stack().baseURL}/orders/${order}`);
    await page.locator('[data-card-ready]').first().waitFor({ timeout: 30_000 });

    const parts = page.getByRole('form', { name: 'Добавить запчасть' });
    await parts.getByLabel('Найти в номенклатуре (номер, название, бренд)').fill(number.toLowerCase());
    const option = parts.getByLabel('Найденные запчасти').locator('option', { hasText: number });
    await option.waitFor({ state: 'attached', ...SETTLE });
    // The advisor sees what is free before choosing: nothing yet.
    expect(plain(await option.textContent())).toContain('доступно 0 шт.');
    await parts.getByLabel('Найденные запчасти').selectOption((await option.getAttribute('value')) ?? '');
    expect(await parts.getByLabel('Артикул').inputValue()).toBe(number);
    expect(await parts.getByLabel('Наименование').inputValue()).toBe('Фильтр масляный KNECHT');
    await parts.getByLabel('Количество').fill('2');
    await parts.getByLabel('Цена за единицу, ₽').fill('900');
    await expectAccessible(page, 'order card with the catalogue picker');
    await parts.getByRole('button', { name: 'Добавить запчасть' }).click();
    await page.getByRole('row').filter({ hasText: 'Фильтр масляный KNECHT' }).first().waitFor(SETTLE);

    // The stock list: two reserved, to order for the client.
    await page.goto(`${stack().baseURL}/stock?q=${encodeURIComponent(number)}`);
    const row = page.getByRole('table', { name: 'Остатки по складу' }).getByRole('row').filter({ hasText: number });
    await expect.poll(async () => plain(await row.textContent()), SETTLE).toContain('под заказ: 2 шт.');
    const cells = (await row.getByRole('cell').allTextContents()).map(plain);
    // name, on hand, reserved, on order, available, min
    expect(cells.slice(1, 5)).toEqual(['0 шт.', '2 шт.', '0 шт.', '−2 шт.']);
    await expectAccessible(page, 'stock with a backorder');

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });
});
