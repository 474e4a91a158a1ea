import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../format/dates.ts';
import {
  channelName,
  channelsWith,
  linkMessages,
  linkMessageText,
  notificationStatusText,
  notificationTone,
} from './messages.ts';

const at = '2026-12-05T15:04:00Z';
const next = '2026-12-06T06:00:00Z';
const base = { attempts: 0, nextAt: null, reason: null, reasonText: null, updatedAt: at };

describe('notificationStatusText', () => {
  it('says when a message was sent', () => {
    expect(notificationStatusText({ ...base, status: 'SENT', attempts: 1 })).toBe(`Отправлено ${formatDateTime(at)}`);
  });

  it('says until when a message waits, when it is known', () => {
    expect(notificationStatusText({ ...base, status: 'DUE', nextAt: next })).toBe(`Ждёт отправки до ${formatDateTime(next)}`);
    expect(notificationStatusText({ ...base, status: 'DUE' })).toBe('Ждёт отправки');
    expect(notificationStatusText({ ...base, status: 'SENDING', attempts: 1 })).toBe('Отправляется');
  });

  it('says why nothing was sent, in the server’s words, or its code when it has none', () => {
    expect(
      notificationStatusText({
        ...base,
        status: 'SKIPPED',
        reason: 'no_consent',
        reasonText: 'нет согласия клиента на сообщения',
      }),
    ).toBe('Не отправлено: нет согласия клиента на сообщения');
    expect(notificationStatusText({ ...base, status: 'SKIPPED', reason: 'new_reason' })).toBe('Не отправлено: new_reason');
    expect(notificationStatusText({ ...base, status: 'SKIPPED' })).toBe('Не отправлено: причина не записана');
  });

  it('counts the attempts of a failing message and of one given up', () => {
    expect(notificationStatusText({ ...base, status: 'FAILED', attempts: 2 })).toBe('Ошибка, попытка 2');
    expect(notificationStatusText({ ...base, status: 'FAILED', attempts: 2, nextAt: next })).toBe(
      `Ошибка, попытка 2; следующая ${formatDateTime(next)}`,
    );
    expect(notificationStatusText({ ...base, status: 'GAVE_UP', attempts: 5 })).toBe('Отказ после 5 попыток');
    expect(notificationStatusText({ ...base, status: 'GAVE_UP', attempts: 1 })).toBe('Отказ после 1 попытки');
    expect(notificationStatusText({ ...base, status: 'GAVE_UP', attempts: 11 })).toBe('Отказ после 11 попыток');
    expect(notificationStatusText({ ...base, status: 'GAVE_UP', attempts: 21 })).toBe('Отказ после 21 попытки');
  });

  it('does not pretend to know the fate of an interrupted attempt', () => {
    expect(notificationStatusText({ ...base, status: 'UNKNOWN', attempts: 1 })).toBe('Статус неизвестен');
  });
});

describe('the panel’s small words', () => {
  it('colours a fate by how much it needs a look', () => {
    expect(notificationTone('SENT')).toBe('ok');
    expect(notificationTone('GAVE_UP')).toBe('danger');
    expect(notificationTone('UNKNOWN')).toBe('warning');
    expect(notificationTone('DUE')).toBe('plain');
  });

  it('names the channels', () => {
    expect(channelName('SMS')).toBe('SMS');
    expect(channelName('EMAIL')).toBe('E-mail');
  });

  it('switches one channel and keeps the other', () => {
    expect(channelsWith({ sms: true, email: true }, 'email', false)).toEqual({ sms: true, email: false });
    expect(channelsWith({ sms: false, email: true }, 'sms', true)).toEqual({ sms: true, email: true });
  });
});

describe('the approval link’s messages in the answer', () => {
  it('reads what became of each channel', () => {
    const reply = {
      link_id: 'l',
      token: 't',
      messages: [
        { notification_id: 'a', channel: 'sms', status: 'queued', due_at: '2026-12-05T15:00:00Z' },
        { notification_id: 'b', channel: 'email', status: 'skipped', reason: 'no_address', reason_text: 'нет адреса' },
        { notification_id: 'c', status: 'unknown' },
        'junk',
      ],
    };
    const read = linkMessages(reply);
    expect(read).toEqual([
      { channel: 'sms', queued: true, reason: null },
      { channel: 'email', queued: false, reason: 'нет адреса' },
      { channel: null, queued: false, reason: null },
    ]);
    expect(read.map(linkMessageText)).toEqual([
      'SMS: отправляется клиенту',
      'E-mail: не отправлено — нет адреса',
      'Сообщение: не отправлено — причина неизвестна',
    ]);
  });

  it('reads none from an answer without them', () => {
    expect(linkMessages({ link_id: 'l', token: 't' })).toEqual([]);
    expect(linkMessages(undefined)).toEqual([]);
    expect(linkMessages({ messages: 'no' })).toEqual([]);
  });
});
