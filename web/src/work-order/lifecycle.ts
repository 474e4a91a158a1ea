/**
 * Which lifecycle step a user may take on a work order now: the order's status (as the server
 * reports it) against the domain's edges, and the user's permissions (as the server reports them).
 * The board and the order card both show buttons from here; the command API still decides, and a
 * refusal is shown as it words it.
 *
 * The domain's edges (aggregates/src/work_order.rs):
 *   draft → accepted (intake act) → approved (every line decided) → in_progress → completed → closed;
 *   cancel from draft, accepted, approved or in progress (with a reason);
 *   reopen a completed order (with a reason), back to in progress.
 */
export type Status = 'draft' | 'accepted' | 'approved' | 'in_progress' | 'completed' | 'closed' | 'cancelled';

export type Step = 'accept_vehicle' | 'start_work' | 'complete' | 'close' | 'cancel' | 'reopen';

export interface StepRule {
  step: Step;
  /** The permission the command needs (`aggregates::permission::Permission` codes). */
  permission: string;
  /** Statuses the domain takes it from. */
  from: Status[];
  /** A reason must be typed (cancel, reopen). */
  needsReason: boolean;
  /** It needs a form (the intake act), not one click. */
  needsForm: boolean;
}

export const STEPS: readonly StepRule[] = [
  { step: 'accept_vehicle', permission: 'work_order.accept_vehicle', from: ['draft'], needsReason: false, needsForm: true },
  { step: 'start_work', permission: 'work_order.progress', from: ['approved'], needsReason: false, needsForm: false },
  { step: 'complete', permission: 'work_order.progress', from: ['in_progress'], needsReason: false, needsForm: false },
  { step: 'close', permission: 'work_order.close', from: ['completed'], needsReason: false, needsForm: false },
  { step: 'reopen', permission: 'work_order.reopen', from: ['completed'], needsReason: true, needsForm: false },
  {
    step: 'cancel',
    permission: 'work_order.cancel',
    from: ['draft', 'accepted', 'approved', 'in_progress'],
    needsReason: true,
    needsForm: false,
  },
];

/** The steps this user may take on an order in this status, in the order they are shown. */
export function availableSteps(status: string, permissions: readonly string[]): StepRule[] {
  return STEPS.filter((rule) => (rule.from as string[]).includes(status) && permissions.includes(rule.permission));
}

/** The one step that moves the order forward from the board with one click, if any. */
export function nextStep(status: string, permissions: readonly string[]): StepRule | undefined {
  return availableSteps(status, permissions).find((rule) => !rule.needsReason && !rule.needsForm);
}

/** Whether lines can be added, changed or removed (the domain's `lines_editable`). */
export function linesEditable(status: string): boolean {
  return status === 'draft' || status === 'accepted' || status === 'approved' || status === 'in_progress';
}

export const STATUS_LABEL: Record<Status, string> = {
  draft: 'Черновик / смета',
  accepted: 'Принят',
  approved: 'Согласован',
  in_progress: 'В работе',
  completed: 'Выполнен',
  closed: 'Выдан',
  cancelled: 'Отменён',
};

export const STEP_LABEL: Record<Step, string> = {
  accept_vehicle: 'Принять автомобиль',
  start_work: 'Начать работы',
  complete: 'Работы выполнены',
  close: 'Выдать автомобиль',
  cancel: 'Отменить заказ',
  reopen: 'Вернуть в работу',
};

export function statusLabel(status: string): string {
  return STATUS_LABEL[status as Status] ?? status;
}
