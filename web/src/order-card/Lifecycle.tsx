/** The order's next steps as buttons; cancel and reopen ask for a reason in a dialog. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { availableSteps, STEP_LABEL, type StepRule } from '../work-order/lifecycle.ts';
import { text } from './text.ts';
import { Field, FormError, useAction, type Section } from './ui.tsx';

export function Lifecycle({ order, me, run }: Section) {
  const t = text.lifecycle;
  // The intake act has its own form on the card.
  const steps = availableSteps(order.status, me.permissions).filter((rule) => rule.step !== 'accept_vehicle');
  const [asking, setAsking] = useState<StepRule | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const action = useAction();
  if (steps.length === 0) return null;

  function go(rule: StepRule, button: HTMLButtonElement) {
    if (rule.needsReason) {
      opener.current = button;
      setAsking(rule);
      return;
    }
    const step = rule.step;
    if (step === 'start_work' || step === 'complete' || step === 'close') void action.act(() => run(step, {}));
  }

  return (
    <section className="card stack" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">{t.title}</h2>
      <div className="row">
        {steps.map((rule) => (
          <button
            key={rule.step}
            type="button"
            className={rule.step === 'cancel' ? 'button button--danger' : 'button button--primary'}
            disabled={action.busy}
            onClick={(e) => go(rule, e.currentTarget)}
          >
            {STEP_LABEL[rule.step]}
          </button>
        ))}
      </div>
      <FormError error={action.error} />
      {asking && (
        <ReasonDialog
          rule={asking}
          run={run}
          onClose={() => {
            setAsking(null);
            opener.current?.focus();
          }}
        />
      )}
    </section>
  );
}

/** A modal dialog (the browser's own: focus moves in, Esc closes) asking why. */
function ReasonDialog({ rule, run, onClose }: { rule: StepRule; run: Section['run']; onClose: () => void }) {
  const t = text.lifecycle;
  const dialog = useRef<HTMLDialogElement | null>(null);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const action = useAction();
  const title = rule.step === 'cancel' ? t.cancelTitle : t.reopenTitle;

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    const step = rule.step;
    if (step !== 'cancel' && step !== 'reopen') return;
    if (await action.act(() => run(step, { reason: reason.trim() }))) onClose();
  }

  return (
    <dialog
      ref={dialog}
      className="order-card__dialog"
      aria-labelledby="reason-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id="reason-title">{title}</h2>
        <Field label={t.reason} error={missing ? t.reasonRequired : null}>
          {(p) => <textarea {...p} autoFocus value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <FormError error={action.error} withConflict />
        <div className="row">
          <button type="submit" className={rule.step === 'cancel' ? 'button button--danger' : 'button button--primary'} disabled={action.busy}>
            {STEP_LABEL[rule.step]}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t.close}
          </button>
        </div>
      </form>
    </dialog>
  );
}
