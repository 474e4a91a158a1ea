/**
 * The order card meets the store: the advisor finds a catalogue part from the parts form, the
 * number and name come from the catalogue, and the line reserves the part — to order, since the
 * shelf is empty and the advisor may backorder — which the line and the stock list show. Once the
 * shelf holds it, the owner issues it to the car from the card and takes one back with a reason;
 * more than was issued is refused in the server's words.
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
  it('fills the line from the part, reserves it, issues it and takes one back', async () => {
    const number = `OC ${Date.now().toString(36).toUpperCase()}`;
    const owner = await Api.as('owner');
    const part = uuid();
    await owner.send('part', part, 'register', {
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
    const line = page.locator('tr[data-line-id]').filter({ hasText: 'Фильтр масляный KNECHT' });
    await line.waitFor(SETTLE);
    // The line says it is to order; the advisor issues nothing.
    await expect.poll(async () => plain(await line.textContent()), SETTLE).toContain('под заказ 2');
    expect(await line.getByRole('button', { name: /Выдать/ }).count()).toBe(0);

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

    // Three come on the shelf: the line's backorder is covered, and the owner issues from the card.
    const counted = await owner.send('stock', `${part}:main`, 'count', {
      count_id: uuid(),
      counted_thousandths: 3000,
      reason: 'нашлись на полке',
    });
    await owner.query('query($id: UUID!) { workOrder(id: $id) { id } }', { id: order }, counted.position);
    const store = await newTab(browser);
    await loginAs(store.page, 'owner');
    await store.page.goto(`${stack().baseURL}/orders/${order}`);
    await store.page.locator('[data-card-ready]').first().waitFor({ timeout: 30_000 });
    const fitted = store.page.locator('tr[data-line-id]').filter({ hasText: 'Фильтр масляный KNECHT' });
    await expect.poll(async () => plain(await fitted.textContent()), SETTLE).toContain('в резерве 2');
    expect(plain(await fitted.textContent())).not.toContain('под заказ');

    await fitted.getByRole('button', { name: 'Выдать со склада: Фильтр масляный KNECHT' }).click();
    const issue = store.page.getByRole('form', { name: 'Выдача в заказ: Фильтр масляный KNECHT' });
    expect(await issue.getByLabel('Количество').inputValue()).toBe('2');
    await expectAccessible(store.page, 'order card issuing a part');
    await issue.getByRole('button', { name: 'Выдать', exact: true }).click();
    await expect.poll(async () => plain(await fitted.textContent()), SETTLE).toContain('выдано 2');
    expect(plain(await fitted.textContent())).not.toContain('в резерве');
    expect(await fitted.getByRole('button', { name: /Выдать/ }).count()).toBe(0);

    await fitted.getByRole('button', { name: 'Вернуть на склад: Фильтр масляный KNECHT' }).click();
    const giveBack = store.page.getByRole('form', { name: 'Возврат на склад: Фильтр масляный KNECHT' });
    expect(await giveBack.getByLabel('Количество').inputValue()).toBe('2');
    // A reason is asked for before anything is sent.
    await giveBack.getByRole('button', { name: 'Вернуть на склад', exact: true }).click();
    await giveBack.getByText('Укажите, почему запчасть возвращается').waitFor(SETTLE);
    // More than was issued: the stock refuses, in its words.
    await giveBack.getByLabel('Количество').fill('5');
    await giveBack.getByLabel('Причина возврата').fill('не подошёл по размеру');
    await giveBack.getByRole('button', { name: 'Вернуть на склад', exact: true }).click();
    const refused = giveBack.getByRole('alert');
    await expect.poll(async () => plain(await refused.textContent()), SETTLE).toContain('Выдано по строке');
    await expectAccessible(store.page, 'order card returning a part, refused');

    await giveBack.getByLabel('Количество').fill('1');
    await giveBack.getByRole('button', { name: 'Вернуть на склад', exact: true }).click();
    await expect.poll(async () => plain(await fitted.textContent()), SETTLE).toContain('выдано 1');
    expect(await giveBack.count()).toBe(0);
    await expectAccessible(store.page, 'order card with a part issued');

    expect(store.problems).toEqual([]);
    await store.context.close();
  });
});
