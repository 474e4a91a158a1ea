/**
 * «Сообщения клиенту» on the card: whether the client agreed to be written to and on which
 * channels (the advisor records the consent as the client gives or withdraws it, and opens or
 * closes SMS and e-mail: `record_consent`, `choose_channels`, permission `client.record_consent`),
 * and what became of every message about this order, each opening its history in the log. The
 * notifier sends; this panel only shows what its read model says.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { query } from '../api/graphql.ts';
import type { OrderMessagesQuery } from '../api/generated/graphql/graphql.ts';
import { can } from '../auth/me.ts';
import { capitalized } from '../owner/notifications.ts';
import {
  CONSENT_HOW,
  channelName,
  channelsWith,
  notificationStatusText,
  notificationTone,
  type ConsentHow,
} from './messages.ts';
import './messages.css';
import { OrderMessagesDocument } from './queries.ts';
import { text } from './text.ts';
import { Field, FormError, type Section } from './ui.tsx';

const t = text.messages;

type Read = NonNullable<OrderMessagesQuery['workOrder']>;
type Notification = Read['notifications'][number];

/** Still moving: the notifier may send, fail or give up at any moment. */
const inFlight = (n: Notification) => n.status === 'DUE' || n.status === 'SENDING' || n.status === 'FAILED';

/**
 * The messages follow the card (a status change plans one) and the notifier, which plans a beat
 * after the change and sends later still: read again while any is in flight, and now and then.
 */
const messagesQuery = (orderId: string, version: number, withClient: boolean) => ({
  queryKey: ['order-messages', orderId, version, withClient],
  queryFn: () => query(OrderMessagesDocument, { id: orderId, withClient }),
});

/** The order's messages and its client's consent (shared by the approval link's panel). */
export function useOrderMessages({ order, me }: Pick<Section, 'order' | 'me'>) {
  const withClient = can(me, 'client.read') && order.client != null;
  return useQuery({
    ...messagesQuery(order.id, order.version, withClient),
    refetchInterval: (q) => (q.state.data?.workOrder?.notifications.some(inFlight) ? 15_000 : 60_000),
  });
}

export function Messages({ order, me }: Section) {
  const client = useQueryClient();
  const read = useOrderMessages({ order, me });
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const [how, setHow] = useState<ConsentHow>('paper');
  // The channels as the advisor just set them, shown until the read that includes the change comes.
  const [choosing, setChoosing] = useState<{ sms: boolean; email: boolean } | null>(null);
  const mayRecord = can(me, 'client.record_consent');
  const found = read.data?.workOrder ?? null;
  const person = found?.client ?? null;

  async function act(command: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await command();
      // The reads wait for the command's position (the session remembers it), so they show it.
      await client.invalidateQueries({ queryKey: ['order-messages', order.id] });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : String(caught));
    } finally {
      setChoosing(null);
      setBusy(false);
    }
  }

  function choose(clientId: string, current: { sms: boolean; email: boolean }, channel: 'sms' | 'email', open: boolean) {
    const next = channelsWith(current, channel, open);
    setChoosing(next);
    return act(() => send('client', clientId, 'choose_channels', next));
  }

  return (
    <section className="card stack" aria-labelledby="messages-title" data-testid="order-messages">
      <h2 id="messages-title">{t.title}</h2>
      {read.isPending ? (
        <p className="muted" role="status">
          {t.loading}
        </p>
      ) : read.isError ? (
        <p className="error" role="alert">
          {read.error instanceof ApiError ? read.error.messageRu : String(read.error)}
        </p>
      ) : (
        <>
          {person === null ? (
            <p className="muted">{t.noClient}</p>
          ) : (
            <Consent
              messages={{ ...person.messages, ...choosing }}
              mayRecord={mayRecord}
              busy={busy}
              how={how}
              setHow={setHow}
              record={(given) =>
                act(() => send('client', person.id, 'record_consent', { kind: 'messages', given, channel: how }))
              }
              choose={(channel, open) => choose(person.id, { ...person.messages, ...choosing }, channel, open)}
            />
          )}
          <FormError error={error} />
          <Sent notifications={found?.notifications ?? []} withHistory={can(me, 'history.read')} />
        </>
      )}
    </section>
  );
}

function Consent({
  messages,
  mayRecord,
  busy,
  how,
  setHow,
  record,
  choose,
}: {
  messages: { consent: boolean; sms: boolean; email: boolean };
  mayRecord: boolean;
  busy: boolean;
  how: ConsentHow;
  setHow: (how: ConsentHow) => void;
  record: (given: boolean) => Promise<void>;
  choose: (channel: 'sms' | 'email', open: boolean) => Promise<void>;
}) {
  const hintId = useId();
  return (
    <div className="stack">
      <p data-testid="messages-consent">
        {t.consent}:{' '}
        <span className={`badge${messages.consent ? ' badge--ok' : ''}`}>{messages.consent ? t.given : t.notGiven}</span>
      </p>
      {!messages.consent && <p className="muted">{t.noConsentHint}</p>}
      {mayRecord && (
        <div className="row">
          <Field label={messages.consent ? t.howWithdrawn : t.howGiven}>
            {(p) => (
              <select {...p} value={how} disabled={busy} onChange={(e) => setHow(e.target.value as ConsentHow)}>
                {CONSENT_HOW.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div>
            <button
              type="button"
              className={`button${messages.consent ? '' : ' button--primary'}`}
              disabled={busy}
              onClick={() => void record(!messages.consent)}
            >
              {messages.consent ? t.withdraw : t.give}
            </button>
          </div>
        </div>
      )}
      <fieldset className="messages__channels" disabled={!mayRecord || busy} aria-describedby={hintId}>
        <legend>{t.channels}</legend>
        {(['sms', 'email'] as const).map((channel) => (
          <label key={channel} className="messages__check">
            <input
              type="checkbox"
              checked={messages[channel]}
              onChange={(e) => void choose(channel, e.target.checked)}
            />
            {t[channel]}
          </label>
        ))}
      </fieldset>
      <p id={hintId} className="muted">
        {t.channelsHint}
      </p>
    </div>
  );
}

function Sent({ notifications, withHistory }: { notifications: Notification[]; withHistory: boolean }) {
  return (
    <>
      <h3 id="messages-sent">{t.sent}</h3>
      {notifications.length === 0 ? (
        <p className="muted">{t.none}</p>
      ) : (
        <ul className="messages__list" aria-labelledby="messages-sent">
          {notifications.map((n) => {
            const what = `${capitalized(n.triggerName)} · ${channelName(n.channel)}`;
            const tone = notificationTone(n.status);
            return (
              <li key={n.id} className="messages__item" data-notification-id={n.id} data-status={n.status}>
                <p>{what}</p>
                <p>
                  <span className={`badge${tone === 'plain' ? '' : ` badge--${tone}`}`}>{notificationStatusText(n)}</span>
                  {withHistory && (
                    <>
                      {' '}
                      <Link to={`/audit/notification/${n.id}`}>
                        {t.history}
                        <span className="visually-hidden">{t.historyOf(what)}</span>
                      </Link>
                    </>
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
