/**
 * The owner runs the shop's rules in the browser: requisites checked by the domain (a wrong INN
 * is refused beside its field and nothing is saved; a right one is kept), a parts markup scale set
 * and removed, an approval link's lifetime kept (and refused out of bounds), an employee hired
 * with a role, given a password, switched off and back on; a non-owner refused the owner role in
 * the server's words; a reference list with an entry added and switched off (still listed); a
 * service added to the catalogue with its norm-hours. Every screen passes the accessibility check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, errorBeside, expectAccessible, launch, loginAs, newTab, screenshot, stack, uuid } from './support.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** The reads answer from what the projectors have applied: give them a few seconds. */
const SETTLE = { timeout: 15_000 };

async function openSection(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Управление' }).click();
  await page.getByRole('heading', { name: 'Настройки', level: 1 }).waitFor();
  await page.getByRole('navigation', { name: 'Управление' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** An access token of the owner, for the auth service's own calls. */
async function ownerToken(): Promise<string> {
  const { baseURL, logins, password } = stack();
  const response = await fetch(`${baseURL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: logins.owner, password }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The demo shop's requisites (command-api/examples/seed_demo.rs), put back after the test. */
const SEEDED = {
  legal_name: 'ООО «Мотор»',
  inn: '7707083893',
  kpp: '773601001',
  ogrn: '1027700132195',
  address: 'г. Москва, ул. Автозаводская, д. 1',
  bank: {
    bank_name: 'ПАО Сбербанк',
    bik: '044525225',
    account: '40702810938000000001',
    correspondent_account: '30101810400000000225',
  },
};

describe('the owner’s screens', () => {
  it('refuses an invalid INN beside the field and saves nothing; keeps a valid one', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    try {
      await loginAs(page, 'owner');
      await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Управление' }).click();
      await page.getByRole('heading', { name: 'Настройки', level: 1 }).waitFor();
      const form = page.getByRole('form', { name: 'Реквизиты' });
      const inn = form.getByLabel('ИНН', { exact: true });
      await expect.poll(() => inn.inputValue(), SETTLE).toBe(SEEDED.inn);

      // One check digit wrong: the domain refuses, in its words, beside the INN.
      await inn.fill('7707083894');
      await form.getByRole('button', { name: 'Сохранить реквизиты' }).click();
      await expect.poll(() => errorBeside(page, inn)).toContain('Неверный ИНН «7707083894»');
      expect(await inn.getAttribute('aria-invalid')).toBe('true');
      expect(await form.getByRole('status').count()).toBe(0);
      await expectAccessible(page, 'settings with a refused INN');
      await screenshot(page, 'settings');

      // Nothing was saved.
      await page.reload();
      const again = page.getByRole('form', { name: 'Реквизиты' }).getByLabel('ИНН', { exact: true });
      await expect.poll(() => again.inputValue(), SETTLE).toBe(SEEDED.inn);

      // A valid INN (and a new name) is saved and is there after a reload.
      const requisites = page.getByRole('form', { name: 'Реквизиты' });
      await again.fill('7736050003');
      await requisites.getByLabel('Полное наименование').fill('ООО «Мотор-Сервис»');
      await requisites.getByRole('button', { name: 'Сохранить реквизиты' }).click();
      await requisites.getByText('Реквизиты сохранены.').waitFor();
      await page.reload();
      const saved = page.getByRole('form', { name: 'Реквизиты' });
      await expect.poll(() => saved.getByLabel('ИНН', { exact: true }).inputValue(), SETTLE).toBe('7736050003');
      expect(await saved.getByLabel('Полное наименование').inputValue()).toBe('ООО «Мотор-Сервис»');
      expect(await saved.getByLabel('БИК').inputValue()).toBe(SEEDED.bank.bik);
      expect(tab.problems).toEqual([]);
    } finally {
      // Other tests print the shop's requisites.
      await (await Api.as('owner')).send('settings', 'main', 'set_requisites', SEEDED);
      await tab.context.close();
    }
  });

  it('sets a category’s parts markup scale range by range, then removes it', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    const category = `e2e_${Date.now().toString(36)}`;
    await loginAs(page, 'owner');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Управление' }).click();
    await page.getByRole('button', { name: 'Шкала наценки…' }).click();
    const form = page.getByRole('form', { name: 'Шкала наценки' });
    await form.getByLabel('Категория запчастей').fill(category);
    await form.getByLabel('Диапазон 1: наценка, %').fill('50');
    await form.getByRole('button', { name: 'Добавить диапазон' }).click();
    await form.getByLabel('Диапазон 2: закупка от, ₽').fill('500');
    await form.getByLabel('Диапазон 2: наценка, %').fill('30');
    await form.getByRole('button', { name: 'Сохранить шкалу' }).click();
    await page.getByText('Шкала наценки сохранена.').waitFor();

    // Each range ends where the next begins; the last has no upper bound.
    const scale = page.getByRole('table', { name: `Категория ${category}` });
    await scale.waitFor(SETTLE);
    const rows = (await scale.locator('tbody tr').allTextContents()).map((row) => row.replace(/\u00a0/g, ' '));
    expect(rows).toEqual(['0,00 ₽500,00 ₽50 %', '500,00 ₽и выше30 %']);

    await page.getByRole('button', { name: `Удалить шкалу категории ${category}` }).click();
    await expect.poll(() => scale.count(), SETTLE).toBe(0);
    await expectAccessible(page, 'settings');
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('keeps how long an approval link works; refuses a lifetime out of bounds beside the field', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    await loginAs(page, 'owner');
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Управление' }).click();
    const form = page.getByRole('form', { name: 'Ссылка на согласование' });
    const hours = form.getByLabel('Ссылка действует, часов');
    await expect.poll(() => hours.inputValue(), SETTLE).toBe('72');
    await hours.fill('0');
    await form.getByRole('button', { name: 'Сохранить срок' }).click();
    await expect.poll(() => errorBeside(page, hours)).toBe('Срок действия ссылки: от часа до 30 дней');
    await hours.fill('48');
    await form.getByRole('button', { name: 'Сохранить срок' }).click();
    await form.getByText('Срок действия ссылки сохранён.').waitFor();
    await page.reload();
    const again = page.getByRole('form', { name: 'Ссылка на согласование' }).getByLabel('Ссылка действует, часов');
    await expect.poll(() => again.inputValue(), SETTLE).toBe('48');
    // Back to the default for the approval tests.
    await again.fill('72');
    await page.getByRole('form', { name: 'Ссылка на согласование' }).getByRole('button', { name: 'Сохранить срок' }).click();
    await page.getByText('Срок действия ссылки сохранён.').waitFor();
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('hires an employee with a role, sets a password, switches them off and back on', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    const suffix = Date.now().toString(36);
    const name = `Тестов Пётр ${suffix}`;
    const email = `e2e-${suffix}@motor.demo`;
    await loginAs(page, 'owner');
    await openSection(page, 'Сотрудники', 'Сотрудники');

    const hire = page.getByRole('form', { name: 'Новый сотрудник' });
    await hire.getByLabel('ФИО').fill(name);
    await hire.getByLabel('Должность').fill('Механик-диагност');
    await hire.getByLabel('E-mail для входа').fill(email);
    await hire.getByRole('checkbox', { name: 'Механик', exact: true }).check();
    await hire.getByRole('button', { name: 'Принять на работу' }).click();
    await page.getByText(`${name} принят(а) на работу.`, { exact: false }).waitFor();

    const row = page.getByRole('row', { name: new RegExp(name) });
    await row.waitFor(SETTLE);
    expect(await row.textContent()).toContain('Механик');
    expect(await row.textContent()).toContain('Работает');

    // The new employee's panel opened by itself: a password for the first login.
    const panel = page.getByRole('region', { name: `Сотрудник: ${name}` });
    await panel.waitFor();
    await expectAccessible(page, 'staff');
    await screenshot(page, 'staff');
    const password = `Kolodki-${suffix}-2026`;
    await panel.getByLabel('Новый пароль').fill(password);
    await panel.getByRole('button', { name: 'Задать пароль' }).click();
    await panel.getByText('Пароль задан, все сеансы сотрудника закончены.').waitFor();
    const login = await fetch(`${stack().baseURL}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: email, password }),
    });
    expect(login.status).toBe(200);

    // Off: asked once more, then gone from the list of those working.
    await panel.getByRole('button', { name: 'Отключить' }).click();
    await panel.getByText(`Отключить сотрудника ${name}?`).waitFor();
    await panel.getByRole('button', { name: 'Отключить' }).click();
    await expect.poll(() => row.count(), SETTLE).toBe(0);

    // Shown with the inactive ones, and back on from there.
    await page.getByLabel('Показывать отключённых').check();
    await row.waitFor(SETTLE);
    expect(await row.textContent()).toContain('Отключён');
    // The employee is still the one chosen: their panel is back with the row.
    expect(await row.getByRole('button', { name: `Изменить: ${name}` }).getAttribute('aria-pressed')).toBe('true');
    await panel.getByRole('button', { name: 'Вернуть на работу' }).click();
    await expect.poll(async () => (await row.textContent()) ?? '', SETTLE).toContain('Работает');
    await page.getByLabel('Показывать отключённых').uncheck();
    await row.waitFor(SETTLE);
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('shows the server’s words when a non-owner tries to make themselves owner', async () => {
    const suffix = Date.now().toString(36);
    const owner = await Api.as('owner');
    const role = `e2e_staff_${suffix}`;
    await owner.send('role', role, 'create', {
      name: `Кадры ${suffix}`,
      permissions: ['staff.read', 'staff.edit', 'staff.assign_roles', 'role.read'],
    });
    const id = uuid();
    const name = `Кадровик ${suffix}`;
    const email = `e2e-hr-${suffix}@motor.demo`;
    const password = `Kadry-${suffix}-2026`;
    await owner.send('staff', 'main', 'hire', { employee_id: id, full_name: name, position: 'Кадровик', email, roles: [role] });
    const set = await fetch(`${stack().baseURL}/api/auth/employees/${id}/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await ownerToken()}` },
      body: JSON.stringify({ new_password: password }),
    });
    expect(set.status).toBe(204);

    const tab = await newTab(browser);
    const { page } = tab;
    await page.goto(`${stack().baseURL}/`);
    await page.getByLabel('E-mail или телефон').fill(email);
    await page.getByLabel('Пароль').fill(password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Управление' }).click();
    await page.getByRole('navigation', { name: 'Управление' }).getByRole('link', { name: 'Сотрудники', exact: true }).click();
    await page.getByRole('button', { name: `Изменить: ${name}` }).click();
    const panel = page.getByRole('region', { name: `Сотрудник: ${name}` });
    // Nothing here for what the role does not allow.
    expect(await panel.getByRole('button', { name: 'Отключить' }).count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Задать пароль' }).count()).toBe(0);
    await panel.getByRole('checkbox', { name: 'Владелец' }).check();
    await panel.getByRole('button', { name: 'Назначить роли' }).click();
    await expect
      .poll(() => panel.getByRole('alert').textContent())
      .toBe('Назначать и снимать роль владельца может только владелец');
    const staff = await owner.query<{ employees: { id: string; roles: string[] }[] }>('{ employees { id roles } }');
    expect(staff.employees.find((e) => e.id === id)?.roles).toEqual([role]);
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('adds a directory entry and switches it off; it stays listed', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    const suffix = Date.now().toString(36);
    await loginAs(page, 'owner');
    await openSection(page, 'Справочники', 'Справочники');

    const create = page.getByRole('form', { name: 'Новый справочник' });
    await create.getByLabel('Название').fill('Причины отказа');
    await create.getByLabel('Код').fill(`refusal_reasons_${suffix}`);
    await create.getByRole('button', { name: 'Создать справочник' }).click();
    await create.getByText('Справочник «Причины отказа» создан.').waitFor();

    const card = page.getByRole('region', { name: new RegExp(`Причины отказа refusal_reasons_${suffix}`) });
    await card.waitFor(SETTLE);
    const add = card.getByRole('form', { name: 'Новая запись: Причины отказа' });
    await add.getByLabel('Название').fill('Дорого');
    // The code follows the name.
    expect(await add.getByLabel('Код').inputValue()).toBe('dorogo');
    await add.getByRole('button', { name: 'Добавить' }).click();
    await add.getByText('Запись «Дорого» добавлена.').waitFor();
    const entry = card.getByRole('row', { name: /Дорого/ });
    await entry.waitFor(SETTLE);
    expect(await entry.textContent()).toContain('Действует');

    await entry.getByRole('button', { name: 'Отключить «Дорого»' }).click();
    await expect.poll(async () => (await entry.textContent()) ?? '', SETTLE).toContain('Отключено');
    expect(await entry.getByRole('button', { name: 'Вернуть «Дорого»' }).count()).toBe(1);
    await expectAccessible(page, 'directories');
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('adds a service to the catalogue with its norm-hours', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    const name = `Замена тормозных колодок ${Date.now().toString(36)}`;
    await loginAs(page, 'owner');
    await openSection(page, 'Справочник работ', 'Справочник работ');

    const add = page.getByRole('form', { name: 'Новая работа' });
    await add.getByLabel('Работа').fill(name);
    await add.getByLabel('Категория').fill('brakes');
    await add.getByLabel('Нормо-часы').fill('1,5');
    await add.getByRole('button', { name: 'Добавить работу' }).click();
    await add.getByText(`Работа «${name}» добавлена.`).waitFor();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await row.waitFor(SETTLE);
    expect(await row.textContent()).toContain('brakes');
    expect(await row.textContent()).toContain('1,5');

    // Norm-hours the domain refuses: its words beside the field.
    await row.getByRole('button', { name: `Изменить «${name}»` }).click();
    const edit = page.getByRole('form', { name: `Работа «${name}»` });
    await edit.getByLabel('Нормо-часы').fill('0');
    await edit.getByRole('button', { name: 'Сохранить' }).click();
    await expect.poll(() => errorBeside(page, edit.getByLabel('Нормо-часы'))).toContain('Нормо-часы: от 0,1 до 999,9');
    await edit.getByLabel('Нормо-часы').fill('2');
    await edit.getByRole('button', { name: 'Сохранить' }).click();
    await edit.getByText('Изменения сохранены.').waitFor();
    await expect.poll(async () => (await row.textContent()) ?? '', SETTLE).toMatch(/brakes\s*2/);
    await expectAccessible(page, 'service catalogue');
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });
});
