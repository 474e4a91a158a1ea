/** The client's decision line by line: approve or decline, who decided and how. */
import { useState, type FormEvent } from 'react';
import { formatMoney } from '../format/money.ts';
import { approvalBody, type Decision } from './logic.ts';
import { text } from './text.ts';
import { Field, FormError, useAction, type Section } from './ui.tsx';

export function Approval({ order, run }: Section) {
  const t = text.approval;
  const pending = order.lines.filter((line) => line.approval === 'pending');
  const [choices, setChoices] = useState<Record<string, Decision | undefined>>({});
  const [by, setBy] = useState<string | null>(null);
  const [channel, setChannel] = useState<'in_person' | 'phone'>('in_person');
  const [number, setNumber] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);
  const action = useAction();
  const who = by ?? order.client?.displayName ?? '';
  const phone = number ?? order.client?.phones?.[0] ?? '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const live = Object.fromEntries(pending.map((line) => [line.id, choices[line.id]]));
    const body = approvalBody(live, who, channel === 'phone' ? { kind: 'phone', number: phone } : { kind: 'in_person' });
    setInvalid(body === null);
    if (body === null) return;
    if (await action.act(() => run<'record_approval'>('record_approval', body))) setChoices({});
  }

  return (
    <section className="card stack" aria-labelledby="approval-title">
      <h2 id="approval-title">{t.title}</h2>
      <p className="muted">{t.intro}</p>
      <form className="stack" onSubmit={submit} noValidate aria-labelledby="approval-title">
        <ul className="order-card__decisions">
          {pending.map((line) => (
            <li key={line.id}>
              <fieldset>
                <legend>
                  <span className="visually-hidden">{t.decision(line.description)}</span>
                  <span aria-hidden="true">
                    {line.description} — {formatMoney(line.amount)}
                  </span>
                </legend>
                {(['approve', 'decline'] as const).map((decision) => (
                  <label key={decision} className={`order-card__pill order-card__pill--${decision}`}>
                    <input
                      type="radio"
                      name={`decision-${line.id}`}
                      checked={choices[line.id] === decision}
                      onChange={() => setChoices((c) => ({ ...c, [line.id]: decision }))}
                    />
                    {decision === 'approve' ? t.approve : t.decline}
                  </label>
                ))}
                <label className="order-card__pill">
                  <input
                    type="radio"
                    name={`decision-${line.id}`}
                    checked={choices[line.id] === undefined}
                    onChange={() => setChoices((c) => ({ ...c, [line.id]: undefined }))}
                  />
                  {t.undecided}
                </label>
              </fieldset>
            </li>
          ))}
        </ul>
        <div className="row">
          <Field label={t.by}>{(p) => <input {...p} value={who} onChange={(e) => setBy(e.target.value)} />}</Field>
          <fieldset className="order-card__choice">
            <legend>{t.channel}</legend>
            <label>
              <input type="radio" name="approval-channel" checked={channel === 'in_person'} onChange={() => setChannel('in_person')} />
              {t.inPerson}
            </label>
            <label>
              <input type="radio" name="approval-channel" checked={channel === 'phone'} onChange={() => setChannel('phone')} />
              {t.phone}
            </label>
          </fieldset>
          {channel === 'phone' && (
            <Field label={t.number}>
              {(p) => <input {...p} type="tel" value={phone} onChange={(e) => setNumber(e.target.value)} />}
            </Field>
          )}
        </div>
        {invalid && (
          <p className="error" role="alert">
            {t.nothing}
          </p>
        )}
        <FormError error={action.error} />
        <div>
          <button type="submit" className="button button--primary" disabled={action.busy}>
            {t.submit}
          </button>
        </div>
      </form>
    </section>
  );
}
