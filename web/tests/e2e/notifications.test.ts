/**
 * Messages to clients in the browser: the owner writes an SMS and an e-mail (a placeholder put in
 * with a click) and the quiet hours, reloads and finds them kept; a text the domain refuses (an
 * unknown placeholder) is refused beside its form in Russian and nothing is saved; the approval
 * link's message without {ссылка} is stopped before sending; a template switched off reads «не
 * отправляется». On an order card the advisor records the client's consent, closes e-mail, and the
 * panel shows both after a reload (and the query API agrees); the consent withdrawn shows too.
 * With the approval link's SMS written and the client's consent, «send to the client» is ticked,
 * the card says the SMS is on its way, and the message's history opens on the audit screen
 * without the link in it. Every screen passes the accessibility check. (The stack runs no
 * notifier: what the sender does is `cargo test -p notifier`'s.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { Api, errorBeside, expectAccessible, launch, loginAs, newTab, screenshot, stack, uniquePhone, uuid } from './support.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** The reads answer from what the projectors have applied: give them a few seconds. */
const SETTLE = { timeout: 15_000 };

async function openNotifications(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Управление' }).click();
  await page.getByRole('heading', { name: 'Настройки', level: 1 }).waitFor();
  await page
    .getByRole('navigation', { name: 'Управление' })
    .getByRole('link', { name: 'Сообщения клиентам', exact: true })
    .click();
  await page.getByRole('heading', { name: 'Сообщения клиентам', level: 1 }).waitFor();
}

/** A plate no other test's car has (plates are unique among the shop's cars). */
function uniquePlate(): string {
  const letters = 'АВЕКМНОРСТУХ';
  const n = Date.now() % 1_000_000;
  const pick = (k: number) => letters[k % letters.length];
  return `${pick(n)}${String(n % 1000).padStart(3, '0')}${pick(n >> 4)}${pick(n >> 8)}${190 + (n % 9)}`;
}

const form = (page: Page, name: string): Locator => page.getByRole('form', { name, exact: true });

/** Every template and the quiet hours off again: other tests' orders must not queue messages. */
async function switchEverythingOff(): Promise<void> {
  const owner = await Api.as('owner');
  for (const trigger of ['car_accepted', 'approval_link', 'work_completed', 'invoice_issued']) {
    for (const channel of ['sms', 'email']) {
      await owner.send('settings', 'main', 'remove_notification_template', { trigger, channel }).catch(() => undefined);
    }
  }
  await owner.send('settings', 'main', 'set_quiet_hours', { from: null, until: null }).catch(() => undefined);
}

describe('messages to clients: the owner’s templates', () => {
  it('keeps an SMS, an e-mail and the quiet hours; refuses a bad text in Russian; switches one off', async () => {
    const tab = await newTab(browser);
    const { page } = tab;
    try {
      await loginAs(page, 'owner');
      await openNotifications(page);

      // An SMS, its placeholder put in with a click where the caret is.
      const accepted = form(page, 'Автомобиль принят: SMS');
      await expect.poll(() => accepted.getByText('не отправляется').count(), SETTLE).toBe(1);
      const smsText = accepted.getByLabel('Текст', { exact: true });
      await smsText.fill('Автомобиль принят: ');
      await accepted.getByRole('button', { name: 'Вставить {автомобиль}' }).click();
      await expect.poll(() => smsText.inputValue()).toBe('Автомобиль принят: {автомобиль}');
      await smsText.press('End');
      await smsText.pressSequentially('. {сервис}');
      await accepted.getByRole('button', { name: 'Сохранить', exact: true }).click();
      await accepted.getByText('Текст сохранён: клиенты получают это сообщение.').waitFor();

      // An e-mail: a subject and a text.
      const completed = form(page, 'Работы выполнены, можно забирать: E-mail');
      await completed.getByLabel('Тема письма').fill('Заказ {номер_заказа} готов');
      await completed.getByLabel('Текст', { exact: true }).fill('Можно забирать. К оплате {сумма}. {сервис}');
      await completed.getByRole('button', { name: 'Сохранить', exact: true }).click();
      await completed.getByText('Текст сохранён: клиенты получают это сообщение.').waitFor();

      // Quiet hours over the night.
      const quiet = page.getByRole('form', { name: 'Тихие часы' });
      await quiet.getByLabel('Не отправлять с').fill('21:00');
      await quiet.getByLabel('до', { exact: true }).fill('09:00');
      await quiet.getByRole('button', { name: 'Сохранить тихие часы' }).click();
      await quiet.getByText('Тихие часы сохранены.').waitFor();

      // The domain's refusal of an unknown placeholder, in Russian, beside its form.
      const invoice = form(page, 'Выставлен счёт: SMS');
      await invoice.getByLabel('Текст', { exact: true }).fill('Здравствуйте, {имя}! Счёт на {сумма}');
      await invoice.getByRole('button', { name: 'Сохранить', exact: true }).click();
      await expect
        .poll(() => invoice.getByRole('alert').textContent(), SETTLE)
        .toContain('Шаблон не сохранён: допустимы {номер_заказа}, {автомобиль}, {сумма}, {сервис}, {ссылка}');
      expect(await invoice.getByRole('status').count()).toBe(0);

      // The approval link's message without {ссылка}: stopped before sending, beside the text.
      const link = form(page, 'Смета ждёт согласования: SMS');
      const linkText = link.getByLabel('Текст', { exact: true });
      await linkText.fill('Смета готова, посмотрите');
      await link.getByRole('button', { name: 'Сохранить', exact: true }).click();
      await expect.poll(() => errorBeside(page, linkText)).toContain('Вставьте {ссылка}');
      expect(await linkText.getAttribute('aria-invalid')).toBe('true');
      await expectAccessible(page, 'notifications with refusals');
      await screenshot(page, 'notifications');

      // The screen read again after the commands (waiting for their log position) before the reload,
      // which forgets that position: what the reload shows is then the projected state.
      await expect.poll(() => accepted.getByText('отправляется', { exact: true }).count(), SETTLE).toBe(1);
      await quiet.getByText('Сейчас: с 21:00 до 09:00.').waitFor(SETTLE);

      // After a reload: what was saved is there, what was refused is not.
      await page.reload();
      await page.getByRole('heading', { name: 'Сообщения клиентам', level: 1 }).waitFor();
      const smsAgain = form(page, 'Автомобиль принят: SMS').getByLabel('Текст', { exact: true });
      await expect.poll(() => smsAgain.inputValue(), SETTLE).toBe('Автомобиль принят: {автомобиль}. {сервис}');
      const mailAgain = form(page, 'Работы выполнены, можно забирать: E-mail');
      expect(await mailAgain.getByLabel('Тема письма').inputValue()).toBe('Заказ {номер_заказа} готов');
      expect(await mailAgain.getByLabel('Текст', { exact: true }).inputValue()).toBe('Можно забирать. К оплате {сумма}. {сервис}');
      expect(await form(page, 'Автомобиль принят: SMS').getByText('отправляется', { exact: true }).count()).toBe(1);
      expect(await form(page, 'Выставлен счёт: SMS').getByLabel('Текст', { exact: true }).inputValue()).toBe('');
      expect(await form(page, 'Выставлен счёт: SMS').getByText('не отправляется').count()).toBe(1);
      const quietAgain = page.getByRole('form', { name: 'Тихие часы' });
      expect(await quietAgain.getByLabel('Не отправлять с').inputValue()).toBe('21:00');
      expect(await quietAgain.getByLabel('до', { exact: true }).inputValue()).toBe('09:00');
      await quietAgain.getByText('Сейчас: с 21:00 до 09:00.').waitFor();
      // The SMS has no subject to fill.
      expect(await form(page, 'Автомобиль принят: SMS').getByLabel('Тема письма').count()).toBe(0);

      // Switched off: the trigger reads «не отправляется» for the channel, after a reload too.
      const off = form(page, 'Автомобиль принят: SMS');
      await off.getByRole('button', { name: 'Выключить' }).click();
      await off.getByText('Выключено: это сообщение не отправляется.').waitFor();
      // The status itself, not the notice that also says it.
      await expect.poll(() => off.getByText('не отправляется', { exact: true }).count(), SETTLE).toBe(1);
      await page.reload();
      const offAgain = form(page, 'Автомобиль принят: SMS');
      await expect.poll(() => offAgain.getByText('не отправляется', { exact: true }).count(), SETTLE).toBe(1);
      expect(await offAgain.getByLabel('Текст', { exact: true }).inputValue()).toBe('');
      expect(await offAgain.getByRole('button', { name: 'Выключить' }).count()).toBe(0);
      expect(tab.problems).toEqual([]);
    } finally {
      await switchEverythingOff();
      await tab.context.close();
    }
  });
});

describe('messages to clients: the order card', () => {
  it('records the client’s consent and closes e-mail; the panel shows it after a reload', async () => {
    const api = await Api.as('advisor');
    const client = uuid();
    const vehicle = uuid();
    const order = uuid();
    await api.send('client', client, 'register', {
      party: { kind: 'person', full_name: 'Сообщенцев Пётр Ильич' },
      phones: [uniquePhone()],
      email: `petr.${Date.now().toString(36)}@example.ru`,
    });
    await api.send('vehicle', vehicle, 'register', {
      vin: `XTA21099${String(Date.now() % 1_000_000_000).padStart(9, '0')}`,
      plate: uniquePlate(),
      make: 'Lada',
      model: 'Vesta',
      year: 2021,
      owner: client,
    });
    const opened = await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
    await api.query('query($id: UUID!) { workOrder(id: $id) { id } }', { id: order }, opened.position);

    const tab = await newTab(browser);
    const { page } = tab;
    try {
      await loginAs(page, 'advisor');
      await page.goto(`${stack().baseURL}/orders/${order}`);
      await page.locator('[data-card-ready]').waitFor({ timeout: 30_000 });
      const panel = page.getByRole('region', { name: 'Сообщения клиенту' });
      const consent = panel.getByTestId('messages-consent');
      await expect.poll(() => consent.textContent(), SETTLE).toBe('Согласие на сообщения: не получено');
      await panel.getByText('По этому заказу сообщений не было.').waitFor();
      const sms = panel.getByRole('checkbox', { name: 'SMS' });
      const email = panel.getByRole('checkbox', { name: 'E-mail' });
      // Both channels are open until the client chooses.
      expect(await sms.isChecked()).toBe(true);
      expect(await email.isChecked()).toBe(true);

      // Given in person; then the client does not want letters.
      await panel.getByLabel('Как получено согласие').selectOption({ label: 'лично' });
      await panel.getByRole('button', { name: 'Согласие получено' }).click();
      await expect.poll(() => consent.textContent(), SETTLE).toBe('Согласие на сообщения: получено');
      await email.uncheck();
      await expect.poll(() => email.isChecked(), SETTLE).toBe(false);
      await expect.poll(() => email.isDisabled()).toBe(false);
      await expectAccessible(page, 'order card: messages');
      await screenshot(page, 'order-card-messages');

      await page.reload();
      await page.locator('[data-card-ready]').waitFor({ timeout: 30_000 });
      const again = page.getByRole('region', { name: 'Сообщения клиенту' });
      await expect.poll(() => again.getByTestId('messages-consent').textContent(), SETTLE).toBe(
        'Согласие на сообщения: получено',
      );
      expect(await again.getByRole('checkbox', { name: 'SMS' }).isChecked()).toBe(true);
      expect(await again.getByRole('checkbox', { name: 'E-mail' }).isChecked()).toBe(false);

      // The query API says the same.
      const read = await api.query<{ workOrder: { client: { messages: { consent: boolean; sms: boolean; email: boolean } } } }>(
        'query($id: UUID!) { workOrder(id: $id) { client { messages { consent sms email } } } }',
        { id: order },
      );
      expect(read.workOrder.client.messages).toEqual({ consent: true, sms: true, email: false });

      // Withdrawn by phone: the panel says so.
      await again.getByLabel('Как клиент отозвал согласие').selectOption({ label: 'по телефону' });
      await again.getByRole('button', { name: 'Отозвать согласие' }).click();
      await expect.poll(() => again.getByTestId('messages-consent').textContent(), SETTLE).toBe(
        'Согласие на сообщения: не получено',
      );
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });
});

describe('messages to clients: the approval link sent by SMS', () => {
  it('ticks «send to the client» when the client agreed and says the SMS is on its way', async () => {
    const owner = await Api.as('owner');
    const api = await Api.as('advisor');
    const client = uuid();
    const vehicle = uuid();
    const order = uuid();
    try {
      await owner.send('settings', 'main', 'set_notification_template', {
        trigger: 'approval_link',
        channel: 'sms',
        subject: null,
        body: 'Смета по заказу {номер_заказа}: {ссылка}',
      });
      await api.send('client', client, 'register', {
        party: { kind: 'person', full_name: 'Ссылкин Олег Петрович' },
        phones: [uniquePhone()],
      });
      await api.send('client', client, 'record_consent', { kind: 'messages', given: true, channel: 'paper' });
      await api.send('vehicle', vehicle, 'register', {
        vin: `XTA21099${String((Date.now() + 7) % 1_000_000_000).padStart(9, '0')}`,
        plate: uniquePlate(),
        make: 'Kia',
        model: 'Rio',
        year: 2020,
        owner: client,
      });
      await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
      const added = await api.send('work_order', order, 'add_labour_line', {
        line_id: uuid(),
        name: 'Замена масла',
        norm_hours_tenths: 10,
      });
      await api.query('query($id: UUID!) { workOrder(id: $id) { id } }', { id: order }, added.position);

      const tab = await newTab(browser);
      const { page } = tab;
      try {
        await loginAs(page, 'advisor');
        await page.goto(`${stack().baseURL}/orders/${order}`);
        await page.locator('[data-card-ready]').waitFor({ timeout: 30_000 });
        const panel = page.getByRole('region', { name: 'Согласование по ссылке' });
        const notify = panel.getByRole('checkbox', { name: 'Отправить клиенту по SMS / e-mail' });
        // The client agreed: the box is ticked until the advisor says otherwise.
        await expect.poll(() => notify.isChecked(), SETTLE).toBe(true);
        const answered = page.waitForResponse((r) => r.url().endsWith('/send_approval_link'));
        await panel.getByRole('button', { name: 'Отправить ссылку на согласование' }).click();
        const answer = (await (await answered).json()) as { reply: { messages: { notification_id: string }[] } };
        await panel.getByText('SMS: отправляется клиенту').waitFor(SETTLE);
        await panel.getByTestId('approval-link-url').waitFor();
        await expectAccessible(page, 'approval link sent by SMS');
        expect(tab.problems).toEqual([]);

        // The message's own history, as the owner's audit screen words it (the link never shown).
        const message = answer.reply.messages[0]?.notification_id;
        expect(message).toBeTruthy();
        const ownerTab = await newTab(browser);
        try {
          await loginAs(ownerTab.page, 'owner');
          await ownerTab.page.goto(`${stack().baseURL}/audit/notification/${message}`);
          await ownerTab.page.getByRole('heading', { name: 'История: сообщение клиенту', level: 1 }).waitFor();
          const timeline = ownerTab.page.getByRole('region', { name: 'События' });
          await expect.poll(() => timeline.getByRole('listitem').count(), SETTLE).toBeGreaterThan(0);
          expect(await timeline.textContent()).not.toContain('/approve#');
          await expectAccessible(ownerTab.page, 'a message’s history');
          expect(ownerTab.problems).toEqual([]);
        } finally {
          await ownerTab.context.close();
        }
      } finally {
        await tab.context.close();
      }
    } finally {
      await switchEverythingOff();
    }
  });
});
