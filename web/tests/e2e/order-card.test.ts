/**
 * The order card: the advisor's day on one заказ-наряд (intake, promised time, lines from the
 * catalogue, in free text and from an earlier visit's recommendation, parts, the server's totals,
 * the client's decisions, the mechanic's start and finish, completion); two advisors changing the
 * same line (the second sees the conflict and keeps what they typed); a mechanic sees only what
 * their role can do.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { formatMoney } from '../../src/format/money.ts';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uuid } from './support.ts';

// The demo shop's fixed ids (command-api/examples/seed_demo.rs: id(n) = 0192f0c4-0000-7000-8000-… | n).
const demoId = (n: number) => `0192f0c4-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const OIL_CHANGE = demoId(200);
const MECHANIC = demoId(102);
const CONFLICT = 'Заказ изменил другой сотрудник — данные обновлены';

/** The status of the next refused order command the page sends (a 4xx from the command API). */
function refusal(page: Page): Promise<number> {
  return page
    .waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/v1/') && r.status() >= 400)
    .then((r) => r.status());
}

let counter = 0;
const seed = Date.now() % 1_000_000;
function uniquePhone(): string {
  counter += 1;
  return `+7918${String((seed * 7 + counter) % 10_000_000).padStart(7, '0')}`;
}
function uniquePlate(): string {
  counter += 1;
  const letters = 'АВЕКМНОРСТУХ';
  const n = (seed + counter * 104_729) % 1_000_000;
  const pick = (k: number) => letters[k % letters.length];
  return `${pick(n)}${String(n % 1000).padStart(3, '0')}${pick(n >> 4)}${pick(n >> 8)}${150 + (counter % 40)}`;
}
function uniqueVin(): string {
  counter += 1;
  return `XTA21099${String((seed * 13 + counter) % 1_000_000_000).padStart(9, '0')}`;
}

interface Setup {
  client: string;
  clientName: string;
  vehicle: string;
  order: string;
  position: string;
}

/** A new client with a new car and a draft order. */
async function newOrder(api: Api, clientName: string, make = 'Skoda', model = 'Octavia'): Promise<Setup> {
  const client = uuid();
  const vehicle = uuid();
  const order = uuid();
  await api.send('client', client, 'register', { party: { kind: 'person', full_name: clientName }, phones: [uniquePhone()] });
  await api.send('vehicle', vehicle, 'register', {
    vin: uniqueVin(),
    plate: uniquePlate(),
    make,
    model,
    year: 2019,
    owner: client,
  });
  const opened = await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
  return { client, clientName, vehicle, order, position: opened.position };
}

/** Waits until the read models have caught up with `position`. */
async function settle(api: Api, position: string): Promise<void> {
  await api.query('{ me { employeeId } }', {}, position);
  await api.query('query($id: UUID!) { workOrder(id: $id) { id } }', { id: uuid() }, position);
}

async function open(page: Page, order: string): Promise<void> {
  await page.goto(`${stack().baseURL}/orders/${order}`);
  await shows(page.locator('[data-card-ready]'), 30_000);
}

const region = (page: Page, name: string): Locator => page.getByRole('region', { name });
const row = (page: Page, what: string): Locator => page.getByRole('row').filter({ hasText: what });

async function shows(locator: Locator, timeout = 15_000): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (error) {
    // What the page looked like when the wait gave up, for the one reading the failure.
    await locator.page().screenshot({ path: join(tmpdir(), 'order-card-failure.png'), fullPage: true }).catch(() => undefined);
    throw error;
  }
}

/** Tomorrow in the shop's time zone, as a `datetime-local` date. */
function tomorrowInMoscow(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + 86_400_000),
  );
}

describe('order card', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("takes an order through the advisor's day: intake, estimate, approval, work and completion", async () => {
    const api = await Api.as('advisor');
    const clientName = `Морозов Кирилл ${seed}`;
    // An earlier visit of the same car left a recommendation.
    const made = await newOrder(api, clientName);
    const earlier = uuid();
    await api.send('work_order', earlier, 'open', { client_id: made.client, vehicle_id: made.vehicle });
    await api.send('work_order', earlier, 'add_recommendation', { recommendation_id: uuid(), text: 'Замена передних тормозных колодок' });
    const order = uuid();
    const opened = await api.send('work_order', order, 'open', { client_id: made.client, vehicle_id: made.vehicle });
    await settle(api, opened.position);

    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'advisor');
    await open(page, order);
    await shows(page.getByRole('heading', { name: /^Заказ-наряд / }));
    await shows(page.getByText(clientName));
    await expectAccessible(page, 'order card: draft');

    // Intake.
    const intake = page.getByRole('form', { name: 'Приём автомобиля (акт приёма-передачи)' });
    await intake.getByLabel('Пробег, км').fill('65 400');
    await intake.getByLabel('Жалобы клиента (со слов)').fill('Стук в передней подвеске на неровностях, пора менять масло');
    await intake.getByLabel('Топливо в баке').selectOption({ label: '3/8' });
    await intake.getByLabel('Видимые повреждения (по одному в строке)').fill('Скол на лобовом стекле\nЦарапина на заднем бампере');
    await intake.getByLabel('Вещи в салоне (по одной в строке)').fill('Детское кресло');
    await intake.getByRole('button', { name: 'Принять автомобиль' }).click();
    await shows(page.getByText('Скол на лобовом стекле; Царапина на заднем бампере'));
    await shows(page.getByText('Статус: Принят'));

    // The promised time.
    await page.getByLabel('Новый срок выдачи').fill(`${tomorrowInMoscow()}T18:00`);
    await page.getByRole('button', { name: 'Сохранить срок' }).click();
    await shows(page.getByText('завтра 18:00'));

    // The earlier visit's recommendation, one click into the order.
    await page.getByRole('button', { name: 'Добавить в заказ: Замена передних тормозных колодок' }).click();
    await shows(row(page, 'Замена передних тормозных колодок'));

    // A labour line from the catalogue, with the catalogue's norm-hours and a mechanic.
    const labour = page.getByRole('form', { name: 'Добавить работу' });
    await labour.getByLabel('Работа из каталога').selectOption(OIL_CHANGE);
    expect(await labour.getByLabel('Нормо-часы').inputValue()).toBe('0,5');
    await labour.getByLabel('Механик').selectOption({ label: 'Сидоров Пётр' });
    await labour.getByRole('button', { name: 'Добавить работу' }).click();
    await shows(row(page, 'Замена масла в двигателе').filter({ hasText: 'Сидоров Пётр' }));

    // A labour line in free text, «1,5» norm-hours with a discount.
    await labour.getByLabel('Своими словами').check();
    await labour.getByLabel('Название работы').fill('Диагностика передней подвески');
    await labour.getByLabel('Нормо-часы').fill('1,5');
    await labour.getByLabel('Скидка, %').fill('10');
    await labour.getByRole('button', { name: 'Добавить работу' }).click();
    await shows(row(page, 'Диагностика передней подвески').filter({ hasText: '1,5' }));

    // A parts line.
    const parts = page.getByRole('form', { name: 'Добавить запчасть' });
    await parts.getByLabel('Артикул').fill('W 712/95');
    await parts.getByLabel('Наименование').fill('Фильтр масляный MANN');
    await parts.getByLabel('Количество').fill('1');
    await parts.getByLabel('Цена за единицу, ₽').fill('1 250,50');
    await parts.getByRole('button', { name: 'Добавить запчасть' }).click();
    await shows(row(page, 'Фильтр масляный MANN'));

    // The totals are the server's.
    const figures = async () =>
      (
        await api.query<{ workOrder: { total: string; labour: string; parts: string; vat: string } }>(
          'query($id: UUID!) { workOrder(id: $id) { total labour parts vat } }',
          { id: order },
        )
      ).workOrder;
    const server = await figures();
    const totals = region(page, 'Итого (посчитано сервером)');
    await shows(totals.getByText(formatMoney(server.total), { exact: true }));
    await shows(totals.getByText(formatMoney(server.parts), { exact: true }));
    await shows(totals.getByText(formatMoney(server.vat), { exact: true }));
    await expectAccessible(page, 'order card: estimate');

    // The client decides on the phone: three lines approved, the suspension check declined.
    const approval = region(page, 'Решение клиента по строкам');
    for (const what of ['Замена передних тормозных колодок', 'Замена масла в двигателе', 'Фильтр масляный MANN']) {
      await approval.getByRole('group', { name: `Решение по строке «${what}»` }).getByLabel('Согласовать').check();
    }
    await approval.getByRole('group', { name: 'Решение по строке «Диагностика передней подвески»' }).getByLabel('Отказ').check();
    expect(await approval.getByLabel('Кто решил').inputValue()).toBe(clientName);
    await approval.getByLabel('По телефону').check();
    expect(await approval.getByLabel('Номер телефона').inputValue()).toMatch(/^\+7918/);
    await expectAccessible(page, 'order card: approval');
    await approval.getByRole('button', { name: 'Записать решение клиента' }).click();
    await shows(page.getByText('Статус: Согласован'));
    const recommendations = region(page, 'Рекомендации');
    await shows(recommendations.getByRole('listitem').filter({ hasText: 'Диагностика передней подвески' }));
    expect(await row(page, 'Диагностика передней подвески').count()).toBe(0);
    await shows(row(page, 'Замена масла в двигателе').getByText(new RegExp(`${clientName}, \\d{2}\\.\\d{2}\\.\\d{4}`)));

    // Work starts.
    await page.getByRole('button', { name: 'Начать работы' }).click();
    await shows(page.getByText('Статус: В работе'));

    // The mechanic, on their own login, starts and finishes their line.
    const mechanicTab = await newTab(browser, { width: 1024, height: 768 });
    await loginAs(mechanicTab.page, 'mechanic');
    await open(mechanicTab.page, order);
    await mechanicTab.page.getByRole('button', { name: 'Начать работу: Замена масла в двигателе' }).click();
    await mechanicTab.page.getByRole('button', { name: 'Завершить работу: Замена масла в двигателе' }).click();
    await shows(row(mechanicTab.page, 'Замена масла в двигателе').getByText('выполнена'));
    await expectAccessible(mechanicTab.page, 'order card: mechanic at work');
    expect(mechanicTab.problems).toEqual([]);
    await mechanicTab.context.close();

    // Back at the desk, the card shows the mechanic's work; the order is completed.
    await page.reload();
    await page.locator('[data-card-ready]').waitFor();
    await shows(row(page, 'Замена масла в двигателе').getByText('выполнена'));
    await page.getByRole('button', { name: 'Работы выполнены' }).click();
    await shows(page.getByText('Статус: Выполнен'));
    const final = await figures();
    await shows(totals.getByText(formatMoney(final.total), { exact: true }));
    await expectAccessible(page, 'order card: completed');
    expect(tab.problems).toEqual([]);
    await tab.context.close();

    // The owner reads the same card with its history: the README's picture.
    const ownerTab = await newTab(browser);
    await loginAs(ownerTab.page, 'owner');
    await open(ownerTab.page, order);
    const history = region(ownerTab.page, 'История');
    await shows(history.getByText('Кузнецов Алексей'));
    await shows(history.getByText('Сидоров Пётр'));
    await expectAccessible(ownerTab.page, 'order card: owner with history');
    await screenshot(ownerTab.page, 'order-card');
    expect(ownerTab.problems).toEqual([]);
    await ownerTab.context.close();
  });

  it('tells the second advisor that the order changed, reloads it and keeps what they typed', async () => {
    const api = await Api.as('advisor');
    const made = await newOrder(api, `Лебедева Анна ${seed}`, 'Kia', 'Rio');
    await api.send('work_order', made.order, 'accept_vehicle', { mileage_km: 88_000, complaints: 'Шум ремня', fuel_eighths: 5 });
    const added = await api.send('work_order', made.order, 'add_labour_line', {
      line_id: uuid(),
      name: 'Замена ремня ГРМ',
      norm_hours_tenths: 20,
    });
    await settle(api, added.position);

    const a = await newTab(browser);
    const b = await newTab(browser, { width: 1024, height: 768 });
    await loginAs(a.page, 'advisor');
    await loginAs(b.page, 'advisor');
    await open(a.page, made.order);
    await open(b.page, made.order);
    await shows(row(b.page, 'Замена ремня ГРМ').getByText('2', { exact: true }));

    // A changes the line.
    await a.page.getByRole('button', { name: 'Изменить: Замена ремня ГРМ' }).click();
    await a.page.getByRole('form', { name: 'Изменение строки «Замена ремня ГРМ»' }).getByLabel('Нормо-часы').fill('2,5');
    await a.page.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await shows(row(a.page, 'Замена ремня ГРМ').getByText('2,5', { exact: true }));

    // B, still looking at the old line, changes it too.
    await b.page.getByRole('button', { name: 'Изменить: Замена ремня ГРМ' }).click();
    const editor = b.page.getByRole('form', { name: 'Изменение строки «Замена ремня ГРМ»' });
    await editor.getByLabel('Нормо-часы').fill('3');
    const bRefused = refusal(b.page);
    await editor.getByRole('button', { name: 'Сохранить', exact: true }).click();
    // The command API itself refused B's version: a real 412, not a guess of the screen's.
    expect(await bRefused).toBe(412);
    await shows(b.page.getByText(CONFLICT));
    // The card reloaded with A's change; B's typed value is still in the field.
    await shows(row(b.page, 'Замена ремня ГРМ').getByText('2,5', { exact: true }));
    expect(await editor.getByLabel('Нормо-часы').inputValue()).toBe('3');
    await expectAccessible(b.page, 'order card: conflict');
    await screenshot(b.page, 'order-card-conflict');

    // Having seen A's change, B saves again and it goes through.
    await editor.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await shows(row(b.page, 'Замена ремня ГРМ').getByText('3', { exact: true }));
    expect(await b.page.getByText(CONFLICT).count()).toBe(0);

    // A, whose card is now old (it shows the version of A's own change, not B's), cancels the
    // order: the reason dialog takes focus, Esc closes it; the server refuses A's version, the
    // dialog says why and keeps the reason, and the second try goes through.
    await a.page.getByRole('button', { name: 'Отменить заказ' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'Отмена заказ-наряда' });
    await shows(dialog);
    expect(await dialog.getByLabel('Причина').evaluate((el) => el === document.activeElement)).toBe(true);
    await expectAccessible(a.page, 'order card: cancel dialog');
    await a.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await a.page.getByRole('button', { name: 'Отменить заказ' }).click();
    await dialog.getByLabel('Причина').fill('Клиент забрал автомобиль без ремонта');
    const aRefused = refusal(a.page);
    await dialog.getByRole('button', { name: 'Отменить заказ' }).click();
    expect(await aRefused).toBe(412);
    await shows(dialog.getByText(CONFLICT));
    await shows(row(a.page, 'Замена ремня ГРМ').getByText('3', { exact: true }));
    expect(await dialog.getByLabel('Причина').inputValue()).toBe('Клиент забрал автомобиль без ремонта');
    await dialog.getByRole('button', { name: 'Отменить заказ' }).click();
    await shows(a.page.getByText('Статус: Отменён'));
    await shows(a.page.getByText('Отменён: Клиент забрал автомобиль без ремонта'));

    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
    await a.context.close();
    await b.context.close();
  });

  it('shows a mechanic their line to work on and no control their role cannot use', async () => {
    const api = await Api.as('advisor');
    const made = await newOrder(api, `Никитин Олег ${seed}`, 'Hyundai', 'Solaris');
    const labour = uuid();
    const part = uuid();
    await api.send('work_order', made.order, 'accept_vehicle', { mileage_km: 120_500, complaints: 'ТО-8', fuel_eighths: 2 });
    await api.send('work_order', made.order, 'add_labour_line', { line_id: labour, catalogue_service_id: OIL_CHANGE, mechanic: MECHANIC });
    await api.send('work_order', made.order, 'add_parts_line', {
      line_id: part,
      part_number: '26300-35505',
      name: 'Фильтр масляный Hyundai',
      quantity_thousandths: 1000,
      unit_price_kopecks: 54_000,
    });
    await api.send('work_order', made.order, 'record_approval', {
      decisions: [
        { line_id: labour, decision: 'approve' },
        { line_id: part, decision: 'approve' },
      ],
      by: made.clientName,
      channel: { kind: 'in_person' },
    });
    const started = await api.send('work_order', made.order, 'start_work', {});
    await settle(api, started.position);

    const tab = await newTab(browser, { width: 1024, height: 768 });
    const { page } = tab;
    await loginAs(page, 'mechanic');
    await open(page, made.order);
    await shows(page.getByRole('button', { name: 'Начать работу: Замена масла в двигателе' }));
    // The client is not theirs to read.
    await shows(page.getByText('нет доступа'));
    for (const name of [
      /^Изменить/,
      /^Удалить/,
      /^Добавить в заказ/,
      'Добавить работу',
      'Добавить запчасть',
      'Принять автомобиль',
      'Сохранить срок',
      'Записать решение клиента',
      'Начать работы',
      'Работы выполнены',
      'Отменить заказ',
      'Выдать автомобиль',
    ]) {
      expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    }
    expect(await page.getByRole('region', { name: 'Действия с заказом' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'История' }).count()).toBe(0);
    await expectAccessible(page, 'order card: mechanic');

    // What they can do: recommend work for later.
    await page.getByLabel('Новая рекомендация').fill('Заменить щётки стеклоочистителя');
    await page.getByRole('button', { name: 'Добавить рекомендацию' }).click();
    await shows(region(page, 'Рекомендации').getByRole('listitem').filter({ hasText: 'Заменить щётки стеклоочистителя' }));
    expect(await page.getByLabel('Новая рекомендация').inputValue()).toBe('');
    await screenshot(page, 'order-card-mechanic');
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });
});
