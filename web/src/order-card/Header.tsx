/** The card's head: number, status, client, car and the promised time with its editor. */
import { useState, type FormEvent } from 'react';
import { can } from '../auth/me.ts';
import { formatDateTime, formatWhen, fromLocalInput, isLate, toLocalInput } from '../format/dates.ts';
import { formatPhone, formatPlate } from '../format/vehicle.ts';
import { statusLabel } from '../work-order/lifecycle.ts';
import { documentPath } from '../documents/documents.ts';
import { PrintButton, PrintGroup, printText } from '../documents/PrintButton.tsx';
import { text } from './text.ts';
import { Field, FormError, useAction, type Section } from './ui.tsx';

const STATUS_BADGE: Record<string, string> = {
  draft: 'badge',
  accepted: 'badge badge--warning',
  approved: 'badge badge--ok',
  in_progress: 'badge badge--warning',
  completed: 'badge badge--ok',
  closed: 'badge',
  cancelled: 'badge badge--danger',
};

export function Header({ order, me, run }: Section) {
  const t = text.header;
  const late = isLate(order.promisedAt) && order.status !== 'closed' && order.status !== 'cancelled';
  return (
    <header className="order-card__head card">
      <div className="order-card__title">
        <h1 id="order-card-title">{text.title(order.number)}</h1>
        <span className={STATUS_BADGE[order.status] ?? 'badge'}>
          <span className="visually-hidden">{t.status}: </span>
          {statusLabel(order.status)}
        </span>
        <span className="muted">
          {text.opened} {formatDateTime(order.openedAt)}
        </span>
      </div>
      {order.status === 'cancelled' && order.cancelReason && (
        <p className="notice">{text.lifecycle.cancelled(order.cancelReason)}</p>
      )}
      <dl className="order-card__facts">
        <div>
          <dt>{t.client}</dt>
          <dd>{order.client ? order.client.displayName : <span className="muted">{t.hidden}</span>}</dd>
          {order.client?.phones && order.client.phones.length > 0 && (
            <dd>
              <span className="visually-hidden">{t.phones}: </span>
              {order.client.phones.map((phone) => (
                <a key={phone} href={`tel:${phone}`} className="order-card__phone">
                  {formatPhone(phone)}
                </a>
              ))}
            </dd>
          )}
        </div>
        <div>
          <dt>{t.car}</dt>
          {order.vehicle ? (
            <>
              <dd>
                <strong>{formatPlate(order.vehicle.plate)}</strong> · {order.vehicle.make} {order.vehicle.model}
                {order.vehicle.year ? `, ${order.vehicle.year}` : ''}
              </dd>
              <dd className="muted">
                {t.vin} {order.vehicle.vin ?? '—'}
              </dd>
            </>
          ) : (
            <dd className="muted">{t.hidden}</dd>
          )}
        </div>
        <div>
          <dt>{t.promised}</dt>
          <dd>
            {order.promisedAt ? formatWhen(order.promisedAt) : <span className="muted">{t.notPromised}</span>}{' '}
            {late && <span className="badge badge--danger">{t.late}</span>}
          </dd>
        </div>
      </dl>
      {can(me, 'work_order.accept_vehicle') && order.status !== 'closed' && order.status !== 'cancelled' && (
        <PromisedEditor order={order} me={me} run={run} />
      )}
      {can(me, 'work_order.read_all') && can(me, 'client.read') && (
        <PrintGroup>
          <PrintButton url={documentPath('order', order.id)} label={printText.order} />
          {(order.status === 'completed' || order.status === 'closed') && (
            <PrintButton url={documentPath('act', order.id)} label={printText.act} />
          )}
        </PrintGroup>
      )}
    </header>
  );
}

function PromisedEditor({ order, run }: Section) {
  const t = text.header;
  // What the user typed; until they type, the editor follows the server's value.
  const [typed, setTyped] = useState<string | null>(null);
  const value = typed ?? toLocalInput(order.promisedAt);
  const [invalid, setInvalid] = useState(false);
  // A promise given is moved or withdrawn with a reason (the server refuses it without one).
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const action = useAction();
  const given = order.promisedAt !== null && order.promisedAt !== undefined;

  function explained(): string | null | undefined {
    if (!given) return null;
    if (reason.trim() === '') {
      setReasonMissing(true);
      return undefined;
    }
    setReasonMissing(false);
    return reason.trim();
  }

  async function change(at: string | null) {
    const why = explained();
    if (why === undefined) return;
    if (await action.act(() => run('set_promised_time', { promised_at: at, reason: why }))) {
      setTyped(null);
      setReason('');
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const at = fromLocalInput(value);
    if (at === null) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    await change(at);
  }

  return (
    <form className="row order-card__promised" onSubmit={save} aria-label={t.promised}>
      <Field label={t.promisedInput} error={invalid ? t.promisedInvalid : null}>
        {(props) => <input {...props} type="datetime-local" value={value} onChange={(e) => setTyped(e.target.value)} />}
      </Field>
      {given && (
        <Field label={t.promisedReason} error={reasonMissing ? t.promisedReasonMissing : null}>
          {(props) => <input {...props} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      )}
      <button type="submit" className="button" disabled={action.busy}>
        {t.savePromised}
      </button>
      {given && (
        <button type="button" className="button button--ghost" disabled={action.busy} onClick={() => void change(null)}>
          {t.clearPromised}
        </button>
      )}
      <FormError error={action.error} />
    </form>
  );
}
