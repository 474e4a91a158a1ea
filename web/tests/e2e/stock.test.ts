/**
 * The store in the browser: the owner registers a part and a supplier, drafts a purchase order
 * and sends it, receives it in two deliveries through the scan field (a scanner types the number
 * and Enter), sees the stock, counts it and sends a defective part back to the supplier; every
 * screen passes the accessibility check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launch, loginAs, newTab, screenshot, stack } from './support.ts';

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

async function scanTimes(page: Page, typed: string, times: number): Promise<void> {
  const field = page.getByLabel('Артикул (сканер или вручную), Enter');
  for (let i = 0; i < times; i++) {
    // The field keeps the focus after each scan: typing goes straight into it, as a scanner's does.
    await page.keyboard.type(typed);
    await page.keyboard.press('Enter');
    await expect.poll(() => field.inputValue()).toBe('');
  }
}

describe('the store', () => {
  it('registers, orders, receives in two deliveries by scanning, and shows the stock', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    const number = `E2E ${Date.now().toString(36).toUpperCase()}/1`;
    const supplierName = `ООО «Деталь ${Date.now().toString(36)}»`;
    await loginAs(page, 'owner');

    // The menu has the store; its own menu leads to the catalogue.
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Склад' }).click();
    await page.getByRole('heading', { name: 'Остатки', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Склад' }).getByRole('link', { name: 'Номенклатура' }).click();
    await page.getByRole('heading', { name: 'Номенклатура', level: 1 }).waitFor();

    // A new part.
    const register = page.getByRole('form', { name: 'Новая позиция' });
    await register.getByLabel('Артикул', { exact: true }).fill(number);
    await register.getByLabel('Бренд').fill('MANN-FILTER');
    await register.getByLabel('Наименование').fill('Фильтр масляный');
    await register.getByLabel('Ед. изм.').selectOption('pcs');
    await register.getByLabel('Категория').fill('filters');
    await register.getByRole('button', { name: 'Добавить в номенклатуру' }).click();
    await page.getByText(`Позиция ${number} добавлена.`).waitFor();
    await page.getByLabel('Поиск: артикул, название или бренд').fill(number.toLowerCase().replace(/ /g, ''));
    await page.getByRole('rowheader', { name: new RegExp(number.replace(/[/]/g, '\\/')) }).waitFor(SETTLE);
    await expectAccessible(page, 'parts catalogue');
    await screenshot(page, 'stock-parts');

    // A supplier, then a draft to it.
    await page.getByRole('navigation', { name: 'Склад' }).getByRole('link', { name: 'Закупки' }).click();
    const supplierForm = page.getByRole('form', { name: 'Новый поставщик' });
    await supplierForm.getByLabel('Название').fill(supplierName);
    await supplierForm.getByLabel('ИНН').fill('7707083893');
    await supplierForm.getByLabel('КПП').fill('773601001');
    await supplierForm.getByRole('button', { name: 'Добавить поставщика' }).click();
    await page.getByText(`Поставщик ${supplierName} добавлен.`).waitFor();

    const draft = page.getByRole('form', { name: 'Новый заказ поставщику' });
    await draft.getByLabel('Поставщик').locator('option', { hasText: supplierName }).waitFor({ state: 'attached', ...SETTLE });
    await draft.getByLabel('Поставщик').selectOption({ label: supplierName });
    await draft.getByRole('button', { name: 'Создать черновик' }).click();
    const card = page.getByRole('region', { name: /^Заказ / });
    await card.waitFor(SETTLE);
    await expect.poll(() => card.getByText('Черновик').count(), SETTLE).toBe(1);

    // Five filters at 450 ₽, found by the number typed any way.
    const addLine = page.getByRole('form', { name: 'Добавить строку' });
    await addLine.getByLabel('Запчасть (артикул или название)').fill(number.toLowerCase());
    const option = addLine.getByLabel('Найденные запчасти').locator('option', { hasText: number });
    await option.waitFor({ state: 'attached', ...SETTLE });
    await addLine.getByLabel('Найденные запчасти').selectOption((await option.getAttribute('value')) ?? '');
    await addLine.getByLabel('Количество, шт.').fill('5');
    await addLine.getByLabel('Цена закупки, ₽').fill('450');
    await addLine.getByRole('button', { name: 'Добавить строку' }).click();
    const lines = card.getByRole('table', { name: 'Строки заказа' });
    await lines.getByRole('rowheader', { name: new RegExp(number.replace(/[/]/g, '\\/')) }).waitFor(SETTLE);
    await expect.poll(async () => plain(await card.textContent()), SETTLE).toContain('2 250,00 ₽');
    await expectAccessible(page, 'purchase order draft');

    await card.getByRole('button', { name: 'Отправить поставщику' }).click();
    await page.getByRole('heading', { name: 'Приёмка' }).waitFor(SETTLE);

    // The first delivery: two filters, scanned.
    const scan = page.getByLabel('Артикул (сканер или вручную), Enter');
    await expect.poll(() => scan.evaluate((el) => el === document.activeElement)).toBe(true);
    await scanTimes(page, number.toLowerCase(), 2);
    const now = page.getByLabel(`Принимаем по строке ${number}`);
    expect(await now.inputValue()).toBe('2');
    // A number not on the order is refused on the spot.
    await scanTimes(page, 'NOPE-1', 1);
    await page.getByRole('alert').filter({ hasText: 'Артикула NOPE-1 нет в этом заказе.' }).waitFor();
    await expectAccessible(page, 'receiving');
    await screenshot(page, 'stock-receiving');
    await page.getByRole('button', { name: 'Оприходовать' }).click();
    await page.getByText('Приход оприходован.').waitFor();
    const receiving = page.getByRole('table', { name: 'Что принимаем' });
    const outstanding = receiving.getByRole('row').nth(1).getByRole('cell').first();
    await expect.poll(async () => plain(await outstanding.textContent()), SETTLE).toBe('3');
    await expect.poll(() => card.getByText('Принят частично').count(), SETTLE).toBe(1);

    // The second delivery: the other three.
    await scan.focus();
    await scanTimes(page, number, 3);
    expect(await now.inputValue()).toBe('3');
    await page.getByRole('button', { name: 'Оприходовать' }).click();
    await expect.poll(() => card.getByText('Принят', { exact: true }).count(), SETTLE).toBe(1);

    // The stock: five on hand, none reserved, none on order.
    await page.getByRole('navigation', { name: 'Склад' }).getByRole('link', { name: 'Остатки' }).click();
    await page.getByLabel('Поиск: артикул, название или бренд').fill(number);
    const row = page.getByRole('table', { name: 'Остатки по складу' }).getByRole('row').filter({ hasText: number });
    await expect.poll(async () => plain(await row.textContent()), SETTLE).toContain('5 шт.');
    const cells = (await row.getByRole('cell').allTextContents()).map(plain);
    // name, on hand, reserved, on order, available, min
    expect(cells.slice(1, 5)).toEqual(['5 шт.', '0 шт.', '0 шт.', '5 шт.']);
    await expectAccessible(page, 'stock');
    await screenshot(page, 'stock');

    // The count finds four: one broken. The difference is shown and the books follow.
    await page.getByRole('navigation', { name: 'Склад' }).getByRole('link', { name: 'Инвентаризация' }).click();
    await page.getByLabel('Поиск: артикул, название или бренд').fill(number);
    const counted = page.getByLabel(`Фактически: ${number}`);
    await counted.waitFor(SETTLE);
    await counted.fill('4');
    await page.getByLabel(`Причина расхождения: ${number}`).fill('бой');
    const countRow = page.getByRole('row').filter({ hasText: number });
    expect(plain(await countRow.getByRole('cell').last().textContent())).toBe('−1');
    await page.getByRole('button', { name: 'Провести пересчёт' }).click();
    await page.getByText('Учтено позиций: 1.').waitFor();
    expect(plain(await countRow.getByRole('cell').last().textContent())).toContain('−1');
    await expectAccessible(page, 'count');
    await screenshot(page, 'stock-count');
    await page.getByRole('navigation', { name: 'Склад' }).getByRole('link', { name: 'Остатки' }).click();
    await page.getByLabel('Поиск: артикул, название или бренд').fill(number);
    await expect.poll(async () => plain(await row.getByRole('cell').nth(1).textContent()), SETTLE).toBe('4 шт.');

    // One more is defective: back to the supplier, and on hand follows.
    await row.getByRole('button', { name: `Вернуть поставщику: ${number}` }).click();
    const back = page.getByRole('form', { name: `Возврат поставщику: ${number}` });
    const supplierField = back.getByLabel('Поставщик', { exact: true });
    await supplierField.locator('option', { hasText: supplierName }).waitFor({ state: 'attached', ...SETTLE });
    await supplierField.selectOption({ label: supplierName });
    // The order it came on is offered: the chosen supplier's received one.
    const orderField = back.getByLabel('Заказ поставщику', { exact: true });
    await expect.poll(() => orderField.locator('option').count(), SETTLE).toBe(2);
    await orderField.selectOption({ index: 1 });
    await back.getByLabel('Количество, шт.').fill('1');
    await back.getByLabel('Причина', { exact: true }).fill('брак');
    await expectAccessible(page, 'return to supplier');
    await screenshot(page, 'stock-to-supplier');
    await back.getByRole('button', { name: 'Вернуть поставщику' }).click();
    await page.getByText(`${number}: возвращено поставщику 1 шт.`).waitFor(SETTLE);
    await expect.poll(async () => plain(await row.getByRole('cell').nth(1).textContent()), SETTLE).toBe('3 шт.');

    expect(tab.problems).toEqual([]);
    await tab.context.close();
    expect(stack().baseURL).toMatch(/^http/);
  });
});
