import { describe, expect, it } from 'vitest';
import {
  type ApprovalView,
  type Decision,
  buildAnswer,
  describeVehicle,
  formatKopecks,
  formatQuantity,
  formatVatRate,
  refusalFrom,
  tokenFromFragment,
} from './logic.ts';

const NBSP = '\u00a0';

describe('tokenFromFragment', () => {
  const token = 'AZOl2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2-_x';
  it('takes the token from the fragment, with or without the #', () => {
    expect(tokenFromFragment(`#${token}`)).toBe(token);
    expect(tokenFromFragment(token)).toBe(token);
    expect(tokenFromFragment(`#%20${token}%20`)).toBe(token);
  });
  it('refuses what cannot be a token', () => {
    expect(tokenFromFragment('')).toBeNull();
    expect(tokenFromFragment('#')).toBeNull();
    expect(tokenFromFragment('#short')).toBeNull();
    expect(tokenFromFragment(`#${token}<script>`)).toBeNull();
    expect(tokenFromFragment(`#${token}=`)).toBeNull();
    expect(tokenFromFragment('#%E0%A4%A')).toBeNull();
  });
});

describe('formatting', () => {
  it('writes kopecks as roubles, Russian style, without floating point', () => {
    expect(formatKopecks(189050)).toBe(`1${NBSP}890,50${NBSP}₽`);
    expect(formatKopecks(0)).toBe(`0,00${NBSP}₽`);
    expect(formatKopecks(5)).toBe(`0,05${NBSP}₽`);
    expect(formatKopecks(123456789012)).toBe(`1${NBSP}234${NBSP}567${NBSP}890,12${NBSP}₽`);
    expect(formatKopecks(-50000)).toBe(`−500,00${NBSP}₽`);
  });
  it('writes labour in norm-hours and parts in pieces', () => {
    expect(formatQuantity({ kind: 'labour', quantity: 15 })).toBe(`1,5${NBSP}н/ч`);
    expect(formatQuantity({ kind: 'labour', quantity: 20 })).toBe(`2${NBSP}н/ч`);
    expect(formatQuantity({ kind: 'parts', quantity: 4000 })).toBe(`4${NBSP}шт.`);
    expect(formatQuantity({ kind: 'parts', quantity: 1250 })).toBe(`1,25${NBSP}шт.`);
    expect(formatQuantity({ kind: 'client_part', quantity: 1000 })).toBe(`1${NBSP}шт.`);
  });
  it('writes the VAT rate and the car', () => {
    expect(formatVatRate(2000)).toBe(`20${NBSP}%`);
    expect(formatVatRate(1250)).toBe(`12,5${NBSP}%`);
    expect(describeVehicle({ make: 'Lada', model: 'Vesta', year: 2019, plate: 'А123ВС77' })).toBe(
      'Lada Vesta, 2019, А123ВС77',
    );
    expect(describeVehicle({ make: 'Kia', model: 'Rio', year: null, plate: null })).toBe('Kia Rio');
  });
});

describe('buildAnswer', () => {
  const line = (id: string, approved = false) => ({
    line_id: id,
    kind: 'labour',
    description: `Работа ${id}`,
    quantity: 10,
    unit_price_kopecks: 250000,
    discount_kopecks: 0,
    amount_kopecks: 250000,
    approved,
  });
  const view: Pick<ApprovalView, 'lines' | 'revision'> = {
    revision: 'rev-1',
    lines: [line('a'), line('b'), line('c', true)],
  };

  it('needs a decision for every waiting line, and names the missing ones', () => {
    const result = buildAnswer('tok', view, new Map<string, Decision>([['a', 'approve']]), '');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.missing.map((l) => l.line_id)).toEqual(['b']);
  });

  it('sends the waiting lines only, with the revision shown and the name trimmed', () => {
    const decisions = new Map<string, Decision>([
      ['b', 'decline'],
      ['a', 'approve'],
      ['c', 'decline'],
    ]);
    const result = buildAnswer('tok', view, decisions, '  Иван Петров ');
    expect(result).toEqual({
      ok: true,
      body: {
        token: 'tok',
        revision: 'rev-1',
        decisions: [
          { line_id: 'a', decision: 'approve' },
          { line_id: 'b', decision: 'decline' },
        ],
        name: 'Иван Петров',
      },
    });
  });

  it('leaves an empty name out', () => {
    const decisions = new Map<string, Decision>([
      ['a', 'approve'],
      ['b', 'approve'],
    ]);
    const result = buildAnswer('tok', view, decisions, '   ');
    expect(result.ok && 'name' in result.body).toBe(false);
  });
});

describe('refusalFrom', () => {
  it("titles each refusal and keeps the API's Russian message", () => {
    const stale = refusalFrom(422, { code: 'approval_link_stale', message: 'x', message_ru: 'Смета изменилась после отправки' });
    expect(stale).toEqual({ code: 'approval_link_stale', title: 'Смета изменилась', message: 'Смета изменилась после отправки' });
    expect(refusalFrom(422, { code: 'approval_link_revoked', message_ru: 'Сервис отозвал' }).title).toBe('Ссылка отозвана');
    expect(refusalFrom(422, { code: 'approval_link_expired', message_ru: 'Истёк' }).title).toBe('Срок действия ссылки истёк');
    expect(refusalFrom(422, { code: 'approval_link_used', message_ru: 'Уже' }).title).toBe('Ответ уже получен');
    expect(refusalFrom(404, { code: 'approval_link_not_found', message_ru: 'Нет' }).title).toBe('Ссылка не найдена');
  });
  it('says something readable for an answer without our shape', () => {
    const limited = refusalFrom(429, '<html>');
    expect(limited.code).toBe('rate_limited');
    expect(limited.message).toMatch(/Подождите/);
    const odd = refusalFrom(502, null);
    expect(odd.code).toBe('http_502');
    expect(odd.title).toBe('Не удалось открыть смету');
  });
});
