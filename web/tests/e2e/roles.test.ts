/**
 * The roles editor against the real services: the owner creates a role and ticks a permission in
 * the table; an employee hired with that role is refused before the tick and allowed on their very
 * next request after it (same token: the services read roles on every request), and the role's
 * history names who did it. An employee who edits staff and roles but is not an owner sees the
 * boxes for permissions they lack disabled with the reason, and the server's own words when a box
 * is forced; through the API they cannot make themselves owner or grant what they lack (403 with
 * the code).
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

/** The reads answer from what the projectors have applied: give them a few seconds. */
const SETTLE = { timeout: 15_000 };
const PASSWORD = 'Roli-i-prava-2026-dlinnyj';

/** Hires an employee with `roles` through the API, gives them a password, returns their id and token. */
async function hire(owner: Api, ownerToken: string, email: string, roles: string[]): Promise<{ id: string; token: string }> {
  const id = uuid();
  await owner.send('staff', 'main', 'hire', {
    employee_id: id,
    full_name: `Сотрудник ${email}`,
    position: 'Стажёр',
    email,
    roles,
  });
  const set = await fetch(`${stack().baseURL}/api/auth/employees/${id}/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
    body: JSON.stringify({ new_password: PASSWORD }),
  });
  expect(set.status).toBe(204);
  return { id, token: await tokenOf(email) };
}

async function tokenOf(login: string, password = PASSWORD): Promise<string> {
  const response = await fetch(`${stack().baseURL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A command with a bare token: status and error code. */
async function command(token: string, path: string, body: object): Promise<{ status: number; code: string; messageRu: string }> {
  const response = await fetch(`${stack().baseURL}/api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as { code?: string; message_ru?: string };
  return { status: response.status, code: answer.code ?? '', messageRu: answer.message_ru ?? '' };
}

const registerClient = (token: string) =>
  command(token, `client/${uuid()}/register`, {
    party: { kind: 'person', full_name: 'Сидоров Павел Андреевич' },
    phones: [uniquePhone()],
  });

async function openRoles(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Управление' }).click();
  await page.getByRole('navigation', { name: 'Управление' }).getByRole('link', { name: 'Роли', exact: true }).click();
  await page.getByRole('heading', { name: 'Роли и права', level: 1 }).waitFor();
}

describe('the roles editor', () => {
  it('a permission ticked by the owner applies to the role holder’s next request', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    const suffix = Date.now().toString(36);
    const code = `washer_${suffix}`;
    const name = `Мойщик ${suffix}`;
    try {
      await loginAs(page, 'owner');
      await openRoles(page);

      const create = page.getByRole('form', { name: 'Новая роль' });
      await create.getByLabel('Код').fill('Мойщик');
      await create.getByRole('button', { name: 'Создать роль' }).click();
      await create.getByText('Заполните поле').waitFor();
      await create.getByText('Код: латинские строчные буквы').waitFor();
      await create.getByLabel('Название').fill(name);
      await create.getByLabel('Код').fill(code);
      await create.getByRole('button', { name: 'Создать роль' }).click();
      await page.getByText(`Роль «${name}» создана.`).waitFor();
      const box = page.getByRole('checkbox', { name: `${name}: Регистрировать клиентов` });
      await box.waitFor(SETTLE);
      expect(await box.isChecked()).toBe(false);

      // Hired with the role, the employee may not register a client yet.
      const ownerApi = await Api.as('owner');
      const ownerToken = await tokenOf(stack().logins.owner, stack().password);
      const washer = await hire(ownerApi, ownerToken, `washer-${suffix}@motor.demo`, [code]);
      const before = await registerClient(washer.token);
      expect([before.status, before.code]).toEqual([403, 'forbidden']);

      await box.click();
      await page.getByText(`Сохранено. Права роли «${name}» действуют со следующего запроса`).waitFor();
      await expect.poll(() => box.isChecked(), SETTLE).toBe(true);
      // The same token, the next request: allowed.
      expect((await registerClient(washer.token)).status).toBe(200);

      // The owner's column is fixed, and says why.
      const ownerBox = page.getByRole('checkbox', { name: 'Владелец: Регистрировать клиентов' });
      expect(await ownerBox.isChecked()).toBe(true);
      expect(await ownerBox.isDisabled()).toBe(true);

      // The role's history: the grant, by the owner.
      await page.getByRole('button', { name: `История роли «${name}»` }).click();
      const history = page.getByRole('region', { name: `История роли «${name}»` });
      await history.getByText('Разрешено:').waitFor(SETTLE);
      const { employees } = await ownerApi.query<{ employees: { fullName: string; email: string | null }[] }>(
        '{ employees { fullName email } }',
      );
      const ownerName = employees.find((e) => e.email === stack().logins.owner)?.fullName ?? '';
      expect(ownerName).not.toBe('');
      const rows = await history.getByRole('row').allTextContents();
      expect(rows.some((row) => row.includes(`Создана роль «${name}»`) && row.includes(ownerName))).toBe(true);
      expect(
        rows.some((row) => row.includes('Разрешено:') && row.includes('client.register') && row.includes(ownerName)),
      ).toBe(true);

      await expectAccessible(page, 'roles editor');
      await screenshot(page, 'roles-editor');

      // Archived while the washer holds it? Refused, in the domain's words.
      await page.getByRole('button', { name: `Отправить роль «${name}» в архив` }).click();
      await page.getByText('Роль есть у активных сотрудников (1): сначала снимите её с них').waitFor();

      // Once nobody working holds it, it goes to the archive: out of the table, allowing nothing.
      await ownerApi.send('staff', 'main', 'assign_roles', { employee_id: washer.id, roles: ['mechanic'] });
      await page.getByRole('button', { name: `Отправить роль «${name}» в архив` }).click();
      await page.getByText(`Роль «${name}» в архиве.`).waitFor();
      const roleRow = page.getByRole('row', { name: new RegExp(code) });
      await expect.poll(async () => (await roleRow.textContent()) ?? '', SETTLE).toContain('В архиве');
      await expect.poll(() => box.count(), SETTLE).toBe(0);
      await page.getByRole('button', { name: `Вернуть роль «${name}» из архива` }).click();
      await expect.poll(async () => (await roleRow.textContent()) ?? '', SETTLE).toContain('Действует');
      await expect.poll(() => box.isChecked(), SETTLE).toBe(true);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  it('a staff and role editor who is not an owner cannot grant what they lack, nor make themselves owner', async () => {
    const suffix = Date.now().toString(36);
    const roleCode = `staff_manager_${suffix}`;
    const roleName = `Управляющий ${suffix}`;
    const email = `manager-${suffix}@motor.demo`;
    const ownerApi = await Api.as('owner');
    const ownerToken = await tokenOf(stack().logins.owner, stack().password);
    await ownerApi.send('role', roleCode, 'create', {
      name: roleName,
      permissions: ['staff.edit', 'staff.assign_roles', 'staff.read', 'role.edit', 'role.read'],
    });
    const manager = await hire(ownerApi, ownerToken, email, [roleCode]);

    // Through the API: not the owner role, not a permission they lack.
    const makeOwner = await command(manager.token, 'staff/main/assign_roles', {
      employee_id: manager.id,
      roles: [roleCode, 'owner'],
    });
    expect([makeOwner.status, makeOwner.code]).toEqual([403, 'owner_role_by_owner_only']);
    const grant = await command(manager.token, `role/${roleCode}/grant`, { permissions: ['security.manage'] });
    expect([grant.status, grant.code]).toEqual([403, 'permission_not_held']);

    // In the browser: the box is there, disabled, with the reason beside it.
    const tab = await newTab(browser);
    const { page } = tab;
    try {
      await page.goto(`${stack().baseURL}/`);
      await page.getByLabel('E-mail или телефон').fill(email);
      await page.getByLabel('Пароль').fill(PASSWORD);
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByRole('button', { name: 'Выйти' }).waitFor();
      await openRoles(page);

      const security = page.getByRole('checkbox', { name: `${roleName}: Управлять безопасностью: сессии и ключи` });
      await security.waitFor(SETTLE);
      expect(await security.isDisabled()).toBe(true);
      const reasonId = (await security.getAttribute('aria-describedby')) ?? '';
      expect(await page.locator(`[id="${reasonId}"]`).textContent()).toContain(
        'У вас нет этого права, поэтому выдать его вы не можете.',
      );
      // What they hold they may give.
      const staffRead = page.getByRole('checkbox', { name: `Механик: Принимать сотрудников и менять их данные` });
      expect(await staffRead.isDisabled()).toBe(false);
      // The owner's column is not theirs to touch.
      expect(await page.getByRole('checkbox', { name: 'Владелец: Управлять безопасностью: сессии и ключи' }).isDisabled()).toBe(true);
      await expectAccessible(page, 'roles editor (a non-owner)');

      // Forced past the screen, the box is refused by the server, in its words, and stays clear.
      await security.evaluate((input) => input.removeAttribute('disabled'));
      await security.click({ force: true });
      await page.getByRole('alert').filter({ hasText: 'Нельзя выдать право «security.manage»: у вас его нет' }).waitFor();
      await expect.poll(() => security.isChecked(), SETTLE).toBe(false);
      const roles = await ownerApi.query<{ roles: { code: string; permissions: string[] }[] }>(
        '{ roles { code permissions } }',
      );
      expect(roles.roles.find((r) => r.code === roleCode)?.permissions).not.toContain('security.manage');
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });
});
