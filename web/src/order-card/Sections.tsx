/** The card's read-mostly sections: totals, recommendations and the history. */
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { newId } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { can } from '../auth/me.ts';
import { formatDateTime } from '../format/dates.ts';
import { formatMoney, formatPercentBp, isPositive } from '../format/money.ts';
import { text } from './text.ts';
import { Field, FormError, useAction, type Section } from './ui.tsx';
import { historyQuery } from './useOrderCard.ts';

/** The figures exactly as the server computed them. */
export function Totals({ order }: Section) {
  const t = text.totals;
  return (
    <section className="card order-card__totals" aria-labelledby="totals-title">
      <h2 id="totals-title">{t.title}</h2>
      <dl>
        <div>
          <dt>{t.labour}</dt>
          <dd>{formatMoney(order.labour)}</dd>
        </div>
        <div>
          <dt>{t.parts}</dt>
          <dd>{formatMoney(order.parts)}</dd>
        </div>
        <div>
          <dt>{t.discount}</dt>
          <dd>{isPositive(order.discount) ? `−${formatMoney(order.discount)}` : formatMoney(order.discount)}</dd>
        </div>
        <div className="order-card__total">
          <dt>{t.total}</dt>
          <dd data-testid="order-total">{formatMoney(order.total)}</dd>
        </div>
        <div>
          <dt>{t.vat(formatPercentBp(order.vatRateBp))}</dt>
          <dd>{formatMoney(order.vat)}</dd>
        </div>
      </dl>
      {order.pendingApprovalLines > 0 && <p className="notice">{t.pendingLines(order.pendingApprovalLines)}</p>}
    </section>
  );
}

export function Recommendations({ order, me, run }: Section) {
  const t = text.recommendations;
  const canAdd = can(me, 'work_order.add_recommendation') && order.status !== 'closed' && order.status !== 'cancelled';
  const [typed, setTyped] = useState('');
  const [missing, setMissing] = useState(false);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (typed.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    if (await action.act(() => run('add_recommendation', { recommendation_id: newId(), text: typed.trim() }))) setTyped('');
  }

  return (
    <section className="card stack" aria-labelledby="recommendations-title">
      <h2 id="recommendations-title">{t.title}</h2>
      {order.recommendations.length === 0 ? (
        <p className="muted">{t.none}</p>
      ) : (
        <ul className="order-card__recommendations">
          {order.recommendations.map((r) => (
            <li key={r.id}>
              <span>{r.text}</span>
              <span className="muted">
                {r.estimate ? `${t.estimate(formatMoney(r.estimate))} · ` : ''}
                {formatDateTime(r.at)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {canAdd && (
        <form className="stack" onSubmit={submit} noValidate aria-label={t.submit}>
          <Field label={t.add} error={missing ? t.required : null}>
            {(p) => <textarea {...p} value={typed} onChange={(e) => setTyped(e.target.value)} />}
          </Field>
          <FormError error={action.error} />
          <div>
            <button type="submit" className="button" disabled={action.busy}>
              {t.submit}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** Every event of the order, newest first, for a role that may read the history. */
export function History({ order }: Section) {
  const t = text.history;
  const history = useQuery(historyQuery(order.id));
  return (
    <section className="card stack" aria-labelledby="history-title">
      <h2 id="history-title">{t.title}</h2>
      {history.isPending && (
        <p className="muted" role="status">
          {text.loading}
        </p>
      )}
      {history.error && (
        <p className="error" role="alert">
          {history.error instanceof ApiError ? history.error.messageRu : String(history.error)}
        </p>
      )}
      {history.data && history.data.length === 0 && <p className="muted">{t.empty}</p>}
      {history.data && history.data.length > 0 && (
        <ol className="order-card__timeline" tabIndex={0} aria-labelledby="history-title">
          {[...history.data].reverse().map((entry) => (
            <li key={entry.version}>
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
              <span className="order-card__actor">{entry.actorName ?? (entry.actor.startsWith('system:') ? t.system : entry.actor)}</span>
              <span>{entry.summary}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
