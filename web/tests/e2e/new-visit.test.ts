/**
 * The new visit: the advisor finds a demo client by a phone written the Russian way, a car by its
 * plate in Latin look-alikes and a client by a misspelt name; creates a new client (the domain's
 * phone refusal beside the phone), their car, and opens the order with the intake in one go; and
 * an intake mileage below the car's last reading is refused beside the mileage without a second
 * order being opened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uuid, type Tab } from './support.ts';

const SEARCH = 'Найти клиента или автомобиль';

let run = 0;
const base = Date.now();
/** A mobile number no other client has. */
function uniquePhone(): string {
  run += 1;
  return `+7918${String((base + run) % 10_000_000).padStart(7, '0')}`;
}
/** A plate no other test uses («К 123 МН 777»-shaped). */
function uniquePlate(): string {
  run += 1;
  const letters = 'АВЕКМНОРСТУХ';
  const n = (base + run * 7919) % 1_000_000;
  const pick = (k: number) => letters[k % letters.length];
  return `${pick(n)}${String(n % 1000).padStart(3, '0')}${pick(n >> 3)}${pick(n >> 7)}${700 + (run % 99)}`;
}

async function openNewVisit(browser: Browser): Promise<Tab> {
  const tab = await newTab(browser);
  await loginAs(tab.page, 'advisor');
  await tab.page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Новый визит' }).click();
  await tab.page.waitForURL(`${stack().baseURL}/visit/new`);
  await tab.page.getByRole('heading', { name: 'Новый визит', level: 1 }).waitFor();
  return tab;
}

/** The text of the messages an input is described by (its hint and its error). */
async function description(page: Page, label: string): Promise<string> {
  return page.getByLabel(label, { exact: true }).evaluate((input) =>
    (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
}

async function focusedRole(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('role') ?? document.activeElement?.tagName ?? null);
}

interface OrdersOfVehicle {
  workOrders: { nodes: { id: string; status: string; mileageKm: number | null; promisedAt: string | null; client: { displayName: string } | null }[] };
}

async function ordersOf(api: Api, vehicleId: string): Promise<OrdersOfVehicle['workOrders']['nodes']> {
  const data = await api.query<OrdersOfVehicle>(
    `query ($vehicleId: UUID!) { workOrders(first: 10, filter: { vehicleId: $vehicleId }) {
       nodes { id status mileageKm promisedAt client { displayName } } } }`,
    { vehicleId },
  );
  return data.workOrders.nodes;
}

describe('new visit', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('finds a demo client by a phone written «8 912 345-67-89», a car by a Latin plate and a misspelt name', async () => {
    const tab = await openNewVisit(browser);
    const { page } = tab;
    const search = page.getByRole('combobox', { name: SEARCH });
    // The box is focused on arrival: the advisor just types.
    await expect.poll(() => focusedRole(page)).toBe('combobox');

    await page.keyboard.type('8 912 345-67-89');
    const petrov = page.getByRole('group', { name: 'Клиенты' }).getByRole('option', { name: /Петров Иван Сергеевич/ });
    await petrov.waitFor();
    expect(await search.getAttribute('aria-expanded')).toBe('true');
    expect(await petrov.textContent()).toContain('+7 912 345-67-89');
    await screenshot(page, 'new-visit-search');
    await expectAccessible(page, 'new visit: search results');

    // Arrows and Enter: the client is chosen and their cars are offered.
    await search.press('ArrowDown');
    const petrovId = await petrov.getAttribute('id');
    await expect.poll(() => search.getAttribute('aria-activedescendant')).toBe(petrovId);
    await expect.poll(() => petrov.getAttribute('aria-selected')).toBe('true');
    await search.press('Enter');
    const clientCard = page.getByRole('region', { name: 'Клиент', exact: true });
    await clientCard.getByText('Петров Иван Сергеевич').waitFor();
    await clientCard.getByText('А 123 ВС 77').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Выбрать');

    // A plate typed in Latin look-alikes finds the car; picking it selects the car and its owner.
    await search.fill('A123BC77');
    const vesta = page.getByRole('group', { name: 'Автомобили' }).getByRole('option', { name: /А 123 ВС 77/ });
    await vesta.waitFor();
    expect(await vesta.textContent()).toContain('Lada Vesta');
    const vestaId = await vesta.getAttribute('id');
    for (let i = 0; i < 5 && (await search.getAttribute('aria-activedescendant')) !== vestaId; i++) {
      await search.press('ArrowDown');
    }
    expect(await search.getAttribute('aria-activedescendant')).toBe(vestaId);
    await search.press('Enter');
    const carCard = page.getByRole('region', { name: 'Автомобиль', exact: true });
    await carCard.getByText('А 123 ВС 77').waitFor();
    await carCard.getByText('Петров Иван Сергеевич').waitFor();
    // Straight to the intake: the mileage input has the focus, with the car's last reading beside it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('nv-mileage');
    expect(await description(page, 'Пробег, км')).toContain('50\u00a0000 км');
    await expectAccessible(page, 'new visit: car chosen');

    // A name with a typo, picked with the mouse.
    await search.fill('Смирнва Ольга');
    const smirnova = page.getByRole('option', { name: /Смирнова Ольга Павловна/ });
    await smirnova.waitFor();
    await smirnova.click();
    await page.getByRole('region', { name: 'Клиент', exact: true }).getByText('Смирнова Ольга Павловна').waitFor();
    await page.getByRole('region', { name: 'Клиент', exact: true }).getByText('О 777 ОО 199').waitFor();

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('creates a client (the phone refusal beside the phone), their car, and opens the order with the intake', async () => {
    const tab = await openNewVisit(browser);
    const { page } = tab;
    const name = `Новиков Тест ${base % 100_000}`;
    const plate = uniquePlate();

    await page.getByRole('combobox', { name: SEARCH }).fill(name);
    await page.getByText('Ничего не найдено. Создайте нового клиента.').waitFor();
    await page.getByRole('button', { name: 'Новый клиент', exact: true }).click();
    const form = page.getByRole('form', { name: 'Новый клиент', exact: true });
    // The name typed in the search box is carried over.
    expect(await page.getByLabel('ФИО').inputValue()).toBe(name);
    await page.getByLabel('Телефон', { exact: true }).fill('12-34');
    await page.getByLabel('E-mail').fill(`novikov${base}@example.ru`);
    await page.getByLabel('E-mail').press('Enter');

    // The domain's refusal, beside the phone, and the focus on it.
    await form.getByText('Неверный телефон «12-34»').waitFor();
    expect(await page.getByLabel('Телефон', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await description(page, 'Телефон')).toContain('Неверный телефон «12-34»');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('nv-phone');
    await expectAccessible(page, 'new visit: client refused');

    const phone = uniquePhone();
    await page.getByLabel('Телефон', { exact: true }).fill(phone.replace('+7', '8 '));
    await page.getByRole('button', { name: 'Создать клиента' }).click();

    // The new client has no car: the car form opens for them.
    await page.getByRole('region', { name: 'Клиент', exact: true }).getByText(name).waitFor();
    const carForm = page.getByRole('form', { name: 'Новый автомобиль', exact: true });
    await carForm.waitFor();
    // A plate the shop already has (the demo Vesta's, typed in Latin): offered to pick instead.
    await page.getByLabel('Госномер').fill('a123bc77');
    await page.getByLabel('Марка').fill('Kia');
    await page.getByLabel('Модель').fill('Rio');
    await page.getByLabel('Год выпуска').fill('2019');
    await page.getByRole('button', { name: 'Добавить автомобиль' }).click();
    await carForm.getByText('Автомобиль с таким госномером уже зарегистрирован: А 123 ВС 77', { exact: false }).waitFor();
    await carForm.getByRole('button', { name: 'Выбрать этот автомобиль' }).waitFor();
    await expectAccessible(page, 'new visit: plate already registered');
    await page.getByLabel('Госномер').fill(plate);
    await page.getByRole('button', { name: 'Добавить автомобиль' }).click();

    await page.getByRole('region', { name: 'Автомобиль', exact: true }).getByText('Kia Rio, 2019').waitFor();
    const spaced = `${plate.slice(0, 1)} ${plate.slice(1, 4)} ${plate.slice(4, 6)} ${plate.slice(6)}`;
    await page.getByRole('region', { name: 'Клиент', exact: true }).getByText(spaced).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('nv-mileage');
    await page.getByLabel('Пробег, км').fill('12 500');
    await page.getByLabel('Топливо').selectOption({ label: '6/8' });
    await page.getByLabel('Жалобы клиента').fill('Стук спереди справа на неровностях');
    await page.getByLabel('Видимые повреждения').fill('Царапина на заднем бампере\nСкол на лобовом стекле');
    await page.getByLabel('Вещи, оставленные в машине').fill('Детское кресло');
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    await page.getByLabel('Срок выдачи (обещано клиенту)').fill(`${day}T18:00`);
    await screenshot(page, 'new-visit');
    await expectAccessible(page, 'new visit: intake filled');

    await page.getByRole('button', { name: 'Открыть заказ-наряд и принять автомобиль' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = new URL(page.url()).pathname.split('/').pop() ?? '';

    const api = await Api.as('advisor');
    interface Card {
      workOrder: {
        status: string;
        mileageKm: number | null;
        promisedAt: string | null;
        client: { displayName: string } | null;
        vehicle: { plate: string | null } | null;
        intake: { fuelEighths: number; visibleDamage: string[]; itemsLeft: string[] } | null;
      } | null;
    }
    const read = async () =>
      (
        await api.query<Card>(
          `query ($id: UUID!) { workOrder(id: $id) { status mileageKm promisedAt client { displayName } vehicle { plate }
             intake { fuelEighths visibleDamage itemsLeft } } }`,
          { id: orderId },
        )
      ).workOrder;
    await expect.poll(read, { timeout: 15_000 }).toMatchObject({ mileageKm: 12_500, client: { displayName: name } });
    const card = await read();
    expect(card?.vehicle?.plate).toBe(plate);
    expect(['accepted', 'approved']).toContain(card?.status);
    expect(card?.intake).toEqual({ fuelEighths: 6, visibleDamage: ['Царапина на заднем бампере', 'Скол на лобовом стекле'], itemsLeft: ['Детское кресло'] });
    expect(card?.promisedAt).not.toBeNull();

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('refuses an intake mileage below the car’s last reading beside the mileage, without a second order', async () => {
    const api = await Api.as('advisor');
    const client = uuid();
    const vehicle = uuid();
    const plate = uniquePlate();
    const name = `Фёдоров Тест ${base % 100_000}`;
    await api.send('client', client, 'register', { party: { kind: 'person', full_name: name }, phones: [uniquePhone()] });
    await api.send('vehicle', vehicle, 'register', { plate, make: 'Skoda', model: 'Octavia', year: 2016, owner: client });
    const reading = await api.send('vehicle', vehicle, 'record_mileage', { km: 60_000 });
    await expect
      .poll(async () => (await api.query<{ vehicle: { mileageKm: number | null } | null }>(
        'query ($id: UUID!) { vehicle(id: $id) { mileageKm } }', { id: vehicle }, reading.position)).vehicle?.mileageKm, { timeout: 15_000 })
      .toBe(60_000);

    const tab = await openNewVisit(browser);
    const { page } = tab;
    const search = page.getByRole('combobox', { name: SEARCH });
    await search.fill(plate);
    await page.getByRole('option', { name: /Skoda Octavia/ }).waitFor();
    await search.press('ArrowDown');
    await search.press('Enter');
    await page.getByRole('region', { name: 'Автомобиль', exact: true }).getByText('Skoda Octavia, 2016').waitFor();
    expect(await description(page, 'Пробег, км')).toContain('60\u00a0000 км');

    // Below the reading the screen knows: refused before anything is sent.
    await page.getByLabel('Жалобы клиента').fill('Не заводится в мороз');
    await page.getByLabel('Пробег, км').fill('50000');
    await page.getByLabel('Пробег, км').press('Enter');
    await page.getByText(/Пробег меньше последнего записанного \(60\s000 км\)/).waitFor();
    expect(await ordersOf(api, vehicle)).toEqual([]);

    // Meanwhile a colleague reads 90 000 km on the same car: the screen still shows 60 000, the
    // domain refuses 70 000 after the order is opened.
    await api.send('vehicle', vehicle, 'record_mileage', { km: 90_000 });
    await page.getByLabel('Пробег, км').fill('70000');
    await page.getByRole('button', { name: 'Открыть заказ-наряд и принять автомобиль' }).click();
    const refusal = 'Пробег не может уменьшиться с 90000 до 70000 км';
    await page.getByRole('form', { name: 'Приём автомобиля', exact: true }).getByText(refusal, { exact: false }).waitFor();
    expect(await description(page, 'Пробег, км')).toContain(refusal);
    expect(await page.getByLabel('Пробег, км').getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Заказ-наряд уже открыт', { exact: false }).waitFor();
    // The car's last reading is read again: the hint now says 90 000.
    await expect.poll(() => description(page, 'Пробег, км')).toContain('90\u00a0000 км');
    await expectAccessible(page, 'new visit: intake refused after the order opened');
    await expect.poll(async () => (await ordersOf(api, vehicle)).length, { timeout: 15_000 }).toBe(1);
    const [opened] = await ordersOf(api, vehicle);
    expect(opened?.status).toBe('draft');

    // Fixed and sent again: only the intake goes, on the same order.
    await page.getByLabel('Пробег, км').fill('95000');
    await page.getByRole('button', { name: 'Отправить акт приёма ещё раз' }).click();
    await page.waitForURL(new RegExp(`/orders/${opened?.id}$`));
    await expect
      .poll(async () => (await ordersOf(api, vehicle)).map((o) => [o.id, o.mileageKm]), { timeout: 15_000 })
      .toEqual([[opened?.id, 95_000]]);

    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });
});
