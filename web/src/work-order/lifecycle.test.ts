import { describe, expect, it } from 'vitest';
import { availableSteps, linesEditable, nextStep, STEPS } from './lifecycle.ts';

const advisor = [
  'work_order.accept_vehicle',
  'work_order.progress',
  'work_order.close',
  'work_order.cancel',
  'work_order.edit_lines',
];
const mechanic = ['work_order.perform_labour', 'work_order.add_recommendation', 'work_order.read_assigned'];
const owner = [...advisor, 'work_order.reopen'];

const steps = (status: string, permissions: string[]) => availableSteps(status, permissions).map((s) => s.step);

describe('state → buttons', () => {
  it('follows the domain’s edges for a user who may do everything', () => {
    expect(steps('draft', owner)).toEqual(['accept_vehicle', 'cancel']);
    expect(steps('accepted', owner)).toEqual(['cancel']);
    expect(steps('approved', owner)).toEqual(['start_work', 'cancel']);
    expect(steps('in_progress', owner)).toEqual(['complete', 'cancel']);
    expect(steps('completed', owner)).toEqual(['close', 'reopen']);
    expect(steps('closed', owner)).toEqual([]);
    expect(steps('cancelled', owner)).toEqual([]);
  });

  it('hides what the role cannot do', () => {
    expect(steps('completed', advisor)).toEqual(['close']);
    for (const status of ['draft', 'accepted', 'approved', 'in_progress', 'completed']) {
      expect(steps(status, mechanic)).toEqual([]);
    }
  });

  it('offers one-click moves on the board only where no form or reason is needed', () => {
    expect(nextStep('draft', owner)).toBeUndefined();
    expect(nextStep('approved', owner)?.step).toBe('start_work');
    expect(nextStep('in_progress', owner)?.step).toBe('complete');
    expect(nextStep('completed', owner)?.step).toBe('close');
    expect(nextStep('in_progress', mechanic)).toBeUndefined();
  });

  it('lets lines change only while the order is open for work', () => {
    expect(['draft', 'accepted', 'approved', 'in_progress'].every(linesEditable)).toBe(true);
    expect(['completed', 'closed', 'cancelled'].some(linesEditable)).toBe(false);
  });

  it('names a permission for every step', () => {
    for (const rule of STEPS) expect(rule.permission).toMatch(/^work_order\.[a-z_]+$/);
  });
});
