import { describe, expect, it } from 'vitest';
import {
  capitalized,
  checkTemplate,
  insertPlaceholder,
  placeholdersIn,
  readQuietHours,
  templateBody,
  templateFor,
  templateWords,
  quietWords,
} from './notifications.ts';

describe('checkTemplate', () => {
  it('passes an SMS with a text and an e-mail with a subject and a text', () => {
    expect(checkTemplate({ trigger: 'CAR_ACCEPTED', channel: 'SMS', body: 'Автомобиль {автомобиль} принят' })).toEqual({
      fields: {},
      form: null,
    });
    expect(
      checkTemplate({ trigger: 'WORK_COMPLETED', channel: 'EMAIL', subject: 'Заказ {номер_заказа}', body: 'Готово' }),
    ).toEqual({ fields: {}, form: null });
  });

  it('asks for a text, and for a subject on an e-mail only', () => {
    expect(checkTemplate({ trigger: 'CAR_ACCEPTED', channel: 'SMS', body: '  ' }).fields).toEqual({
      body: templateWords.bodyRequired,
    });
    expect(checkTemplate({ trigger: 'CAR_ACCEPTED', channel: 'EMAIL', subject: ' ', body: 'Текст' }).fields).toEqual({
      subject: templateWords.subjectRequired,
    });
    // A subject left in the form of an SMS is not the owner's mistake: it is never sent.
    expect(checkTemplate({ trigger: 'CAR_ACCEPTED', channel: 'SMS', subject: 'Тема', body: 'Текст' }).fields).toEqual({});
  });

  it('requires {ссылка} in the approval link’s message, in the text or the subject', () => {
    expect(checkTemplate({ trigger: 'APPROVAL_LINK', channel: 'SMS', body: 'Смета готова' }).fields).toEqual({
      body: templateWords.linkRequired,
    });
    expect(checkTemplate({ trigger: 'APPROVAL_LINK', channel: 'SMS', body: 'Смета: {ссылка}' }).fields).toEqual({});
    expect(
      checkTemplate({ trigger: 'APPROVAL_LINK', channel: 'EMAIL', subject: 'Смета {ссылка}', body: 'Посмотрите' }).fields,
    ).toEqual({});
    // The text missing says so first: «вставьте ссылку» into nothing would not help.
    expect(checkTemplate({ trigger: 'APPROVAL_LINK', channel: 'SMS', body: '' }).fields).toEqual({
      body: templateWords.bodyRequired,
    });
  });

  it('refuses {ссылка} in any other message, beside the field that has it', () => {
    expect(checkTemplate({ trigger: 'INVOICE_ISSUED', channel: 'SMS', body: 'Счёт: {ссылка}' }).fields).toEqual({
      body: templateWords.linkNotHere,
    });
    expect(
      checkTemplate({ trigger: 'INVOICE_ISSUED', channel: 'EMAIL', subject: '{ссылка}', body: 'Счёт {сумма}' }).fields,
    ).toEqual({ subject: templateWords.linkNotHere });
  });

  it('leaves unknown placeholders and unpaired braces to the server', () => {
    expect(checkTemplate({ trigger: 'CAR_ACCEPTED', channel: 'SMS', body: 'Здравствуйте, {имя}! {' }).fields).toEqual({});
  });
});

describe('templateBody', () => {
  it('names the trigger and the channel as the command API does and sends no subject on SMS', () => {
    expect(templateBody({ trigger: 'WORK_COMPLETED', channel: 'SMS', subject: 'забытая тема', body: ' Готово ' })).toEqual({
      trigger: 'work_completed',
      channel: 'sms',
      subject: null,
      body: 'Готово',
    });
    expect(templateBody({ trigger: 'INVOICE_ISSUED', channel: 'EMAIL', subject: ' Счёт ', body: 'На {сумма}' })).toEqual({
      trigger: 'invoice_issued',
      channel: 'email',
      subject: 'Счёт',
      body: 'На {сумма}',
    });
  });
});

describe('templateFor', () => {
  it('finds the template of a trigger and a channel, or none', () => {
    const templates = [
      { trigger: 'CAR_ACCEPTED' as const, channel: 'SMS' as const, subject: null, body: 'a' },
      { trigger: 'CAR_ACCEPTED' as const, channel: 'EMAIL' as const, subject: 's', body: 'b' },
    ];
    expect(templateFor(templates, 'CAR_ACCEPTED', 'EMAIL')?.body).toBe('b');
    expect(templateFor(templates, 'WORK_COMPLETED', 'SMS')).toBeUndefined();
  });
});

describe('placeholders', () => {
  it('reads the names in braces', () => {
    expect(placeholdersIn('Заказ {номер_заказа}: {сумма} ₽, {')).toEqual(['номер_заказа', 'сумма']);
  });

  it('puts a placeholder in place of the selection, or at the end when the field was never focused', () => {
    expect(insertPlaceholder('Заказ  готов', 'номер_заказа', { start: 6, end: 6 })).toEqual({
      value: 'Заказ {номер_заказа} готов',
      caret: 20,
    });
    expect(insertPlaceholder('Сумма XXX', 'сумма', { start: 6, end: 9 })).toEqual({ value: 'Сумма {сумма}', caret: 13 });
    expect(insertPlaceholder('Готово', 'сервис', null)).toEqual({ value: 'Готово {сервис}', caret: 15 });
    expect(insertPlaceholder('', 'сервис', null)).toEqual({ value: '{сервис}', caret: 8 });
    // A stale selection beyond the text is kept inside it.
    expect(insertPlaceholder('ab', 'сумма', { start: 10, end: 12 })).toEqual({ value: 'ab{сумма}', caret: 9 });
  });

  it('capitalizes the trigger’s name for a heading', () => {
    expect(capitalized('автомобиль принят')).toBe('Автомобиль принят');
    expect(capitalized('')).toBe('');
  });
});

describe('readQuietHours', () => {
  it('reads both times, or none when both are empty', () => {
    expect(readQuietHours('21:00', ' 09:00 ')).toEqual({ ok: true, value: { from: '21:00', until: '09:00' } });
    expect(readQuietHours('', ' ')).toEqual({ ok: true, value: { from: null, until: null } });
  });

  it('asks for the other time when one is given, and for HH:MM', () => {
    expect(readQuietHours('21:00', '')).toEqual({ ok: false, errors: { fields: { until: quietWords.both }, form: null } });
    expect(readQuietHours('25:00', '9:00')).toEqual({
      ok: false,
      errors: { fields: { from: quietWords.time, until: quietWords.time }, form: null },
    });
  });

  it('leaves the same time twice to the domain', () => {
    expect(readQuietHours('21:00', '21:00').ok).toBe(true);
  });
});
