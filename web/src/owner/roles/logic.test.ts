import { describe, expect, it } from 'vitest';
import { allows, groupByArea, lockOf, sortRoles, validCode, type EditorRole } from './logic.ts';

const role = (code: string, permissions: string[], archived = false, name = code): EditorRole => ({
  code,
  name,
  permissions,
  archived,
});

describe('the roles editor', () => {
  it('groups the catalogue by area in its own order', () => {
    const areas = groupByArea([
      { code: 'client.read', area: 'client', areaName: 'Клиенты', description: 'Видеть клиентов' },
      { code: 'role.edit', area: 'role', areaName: 'Роли', description: 'Создавать и менять роли' },
      { code: 'client.register', area: 'client', areaName: 'Клиенты', description: 'Заводить клиентов' },
    ]);
    expect(areas.map((a) => [a.areaName, a.permissions.map((p) => p.code)])).toEqual([
      ['Клиенты', ['client.read', 'client.register']],
      ['Роли', ['role.edit']],
    ]);
  });

  it('fixes the owner column and an archived role, and withholds granting what the user lacks', () => {
    const manager = ['role.edit', 'staff.edit', 'client.read'];
    expect(lockOf(role('owner', []), 'client.read', manager)).toBe('owner');
    expect(allows(role('owner', []), 'invoice.void')).toBe(true);
    expect(lockOf(role('washer', ['client.read'], true), 'client.read', manager)).toBe('archived');
    expect(lockOf(role('washer', []), 'invoice.void', manager)).toBe('not_held');
    expect(lockOf(role('washer', []), 'client.read', manager)).toBeNull();
    // Clearing a box the user lacks takes nothing from their reach: the server allows it.
    expect(lockOf(role('washer', ['invoice.void']), 'invoice.void', manager)).toBeNull();
    // Without role.edit nothing changes.
    expect(lockOf(role('washer', []), 'client.read', ['client.read'])).toBe('no_edit');
  });

  it('checks a new code as the server does', () => {
    expect(validCode('senior_mechanic')).toBe(true);
    expect(validCode('Senior')).toBe(false);
    expect(validCode('1st')).toBe(false);
    expect(validCode('')).toBe(false);
    expect(validCode('a'.repeat(41))).toBe(false);
  });

  it('puts the owner first, the rest by name, archived apart', () => {
    const { current, archived } = sortRoles([
      role('mechanic', [], false, 'Механик'),
      role('old', [], true, 'Старая'),
      role('owner', [], false, 'Владелец'),
      role('advisor', [], false, 'Мастер-приёмщик'),
    ]);
    expect(current.map((r) => r.code)).toEqual(['owner', 'advisor', 'mechanic']);
    expect(archived.map((r) => r.code)).toEqual(['old']);
  });
});
