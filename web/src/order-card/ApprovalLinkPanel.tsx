/**
 * The client's approval link on the card: send one for the estimate as it stands, hand it over
 * (copy, or a QR code to show on the screen), and see what became of every link sent: opened,
 * answered (with the evidence the server recorded), revoked, outdated by a change, expired. The
 * in-person and phone approval stays beside it: the client may answer either way. The link may
 * also go to the client by SMS / e-mail in the owner's words (`notify`: ticked by default when the
 * client agreed to messages); the answer says, per channel, whether it went or why not.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import { newId, send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { graphql } from '../api/generated/graphql/gql.ts';
import { query } from '../api/graphql.ts';
import { can } from '../auth/me.ts';
import { formatDateTime } from '../format/dates.ts';
import { linesEditable } from '../work-order/lifecycle.ts';
import './approvalLink.css';
import { approvalUrl, lineNames, linkReply, linkStateText, linkTone, type LinkReply } from './approvalLink.ts';
import { linkMessages, linkMessageText, type LinkMessage } from './messages.ts';
import { useOrderMessages } from './Messages.tsx';
import { FormError, type Section } from './ui.tsx';

export const OrderApprovalLinksDocument = graphql(`
  query OrderApprovalLinks($id: UUID!) {
    workOrder(id: $id) {
      id
      approvalLinks {
        id
        issuedAt
        expiresAt
        openedAt
        state
        answer {
          by
          address
          userAgent
          at
          approved
          declined
        }
      }
    }
  }
`);

/** The links follow the card: a new version of the order (a line changed) reads them again. */
const linksQuery = (orderId: string, version: number) => ({
  queryKey: ['order-approval-links', orderId, version],
  queryFn: () => query(OrderApprovalLinksDocument, { id: orderId }),
});

export function ApprovalLinkPanel({ order, me }: Section) {
  const client = useQueryClient();
  const links = useQuery({
    ...linksQuery(order.id, order.version),
    // While a link is out, the client may open or answer it at any moment.
    refetchInterval: (q) =>
      q.state.data?.workOrder?.approvalLinks.some((l) => l.state === 'live') ? 15_000 : false,
  });
  const [fresh, setFresh] = useState<LinkReply | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  // Untouched, the box follows the client's consent; once the advisor ticks it, their choice holds.
  const [notifyChosen, setNotifyChosen] = useState<boolean | null>(null);
  const [sentTo, setSentTo] = useState<LinkMessage[]>([]);
  const messages = useOrderMessages({ order, me });
  const person = messages.data?.workOrder?.client ?? null;
  const notify = notifyChosen ?? person?.messages.consent ?? false;
  const mayAct = can(me, 'work_order.record_approval');
  const maySend = mayAct && linesEditable(order.status) && order.pendingApprovalLines > 0;
  const list = links.data?.workOrder?.approvalLinks ?? [];
  // A declined line leaves the estimate and stays as a recommendation under the line's own id.
  const named = [...order.lines, ...order.recommendations.map((r) => ({ id: r.id, description: r.text }))];

  // An answer through the link approves lines: the card's own figures must follow.
  const answered = list.filter((l) => l.state === 'answered').length;
  const seenAnswers = useRef<number | null>(null);
  useEffect(() => {
    if (seenAnswers.current !== null && answered > seenAnswers.current) {
      void client.invalidateQueries({ queryKey: ['order-card', order.id] });
      void client.invalidateQueries({ queryKey: ['order-history', order.id] });
    }
    seenAnswers.current = answered;
  }, [answered, client, order.id]);

  async function act(command: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await command();
      await client.invalidateQueries({ queryKey: ['order-card', order.id] });
      await client.invalidateQueries({ queryKey: ['order-approval-links', order.id] });
      void client.invalidateQueries({ queryKey: ['order-history', order.id] });
      void client.invalidateQueries({ queryKey: ['order-messages', order.id] });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : String(caught));
    } finally {
      setBusy(false);
    }
  }

  const sendLink = () =>
    act(async () => {
      setSentTo([]);
      const accepted = await send('work_order', order.id, 'send_approval_link', { link_id: newId(), notify });
      const reply = linkReply(accepted.reply);
      setSentTo(linkMessages(accepted.reply));
      if (reply === null) {
        throw new ApiError(0, 'no_reply', 'the link was sent without its token', 'Ссылка создана, но сервер не вернул её: отправьте новую.');
      }
      setFresh(reply);
    });

  const revoke = (linkId: string) =>
    act(async () => {
      await send('work_order', order.id, 'revoke_approval_link', { link_id: linkId });
      if (fresh?.linkId === linkId) setFresh(null);
    });

  if (!maySend && list.length === 0 && fresh === null) return null;

  return (
    <section className="card stack approval-link" aria-labelledby="approval-link-title">
      <h2 id="approval-link-title">Согласование по ссылке</h2>
      <p className="muted">
        Клиент откроет смету на телефоне без входа в систему и ответит по каждой строке. Ссылка перестаёт
        действовать, как только смета меняется.
      </p>
      {maySend && (
        <div className="stack">
          {person !== null && (
            <label className="approval-link__notify">
              <input
                type="checkbox"
                checked={notify}
                disabled={busy}
                aria-describedby={person.messages.consent ? undefined : 'approval-link-no-consent'}
                onChange={(e) => setNotifyChosen(e.target.checked)}
              />
              Отправить клиенту по SMS / e-mail
            </label>
          )}
          {person !== null && !person.messages.consent && (
            <p id="approval-link-no-consent" className="muted">
              Клиент не давал согласия на сообщения: ссылку передайте сами.
            </p>
          )}
          <div>
            <button type="button" className="button button--primary" disabled={busy} onClick={() => void sendLink()}>
              Отправить ссылку на согласование
            </button>
          </div>
        </div>
      )}
      <FormError error={error} />
      {sentTo.length > 0 && (
        <div role="status">
          <ul className="approval-link__sent" aria-label="Сообщения клиенту со ссылкой">
            {sentTo.map((m, i) => (
              <li key={`${m.channel ?? 'unknown'}-${i}`}>{linkMessageText(m)}</li>
            ))}
          </ul>
        </div>
      )}
      {fresh && <FreshLink reply={fresh} />}
      {links.error && (
        <p className="error" role="alert">
          {links.error instanceof ApiError ? links.error.messageRu : String(links.error)}
        </p>
      )}
      {list.length > 0 && (
        <>
          <h3 id="approval-links-sent">Отправленные ссылки</h3>
          <ul className="approval-link__list" aria-labelledby="approval-links-sent">
            {[...list].reverse().map((link) => (
              <li key={link.id} className="approval-link__item" data-link-id={link.id} data-link-state={link.state}>
                <p className="approval-link__head">
                  <span className={`badge badge--${linkTone(link.state)}`}>{linkStateText(link)}</span>{' '}
                  <span className="muted">
                    отправлена {formatDateTime(link.issuedAt)}, действует до {formatDateTime(link.expiresAt)}
                  </span>
                </p>
                {link.answer && (
                  <dl className="approval-link__evidence">
                    <dt>Клиент</dt>
                    <dd>{link.answer.by}</dd>
                    <dt>Время ответа</dt>
                    <dd>{formatDateTime(link.answer.at)}</dd>
                    <dt>Адрес</dt>
                    <dd data-testid="answer-address">{link.answer.address || '—'}</dd>
                    <dt>Браузер</dt>
                    <dd data-testid="answer-browser" className="approval-link__agent">
                      {link.answer.userAgent || '—'}
                    </dd>
                    <dt>Согласовано</dt>
                    <dd data-testid="answer-approved">{lineNames(link.answer.approved, named).join('; ') || '—'}</dd>
                    <dt>Отклонено</dt>
                    <dd data-testid="answer-declined">{lineNames(link.answer.declined, named).join('; ') || '—'}</dd>
                  </dl>
                )}
                {link.state === 'live' && mayAct && (
                  <div>
                    <button
                      type="button"
                      className="button button--small"
                      disabled={busy}
                      onClick={() => void revoke(link.id)}
                    >
                      Отозвать<span className="visually-hidden"> ссылку от {formatDateTime(link.issuedAt)}</span>
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The link just sent: shown once (the server keeps only its hash), to copy or to scan. */
function FreshLink({ reply }: { reply: LinkReply }) {
  const url = approvalUrl(window.location.origin, reply.token);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [copied, setCopied] = useState<string | null>(null);

  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, url, { width: 200, margin: 2, errorCorrectionLevel: 'M' });
  }, [url]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Ссылка скопирована');
    } catch {
      setCopied('Не удалось скопировать: выделите ссылку и скопируйте её вручную');
    }
  }

  return (
    <div className="approval-link__fresh stack" data-testid="approval-link-fresh">
      <label className="field">
        <span>Ссылка для клиента</span>
        <input
          type="text"
          readOnly
          value={url}
          data-testid="approval-link-url"
          onFocus={(e) => e.currentTarget.select()}
        />
      </label>
      <div className="row">
        <button type="button" className="button" onClick={() => void copy()}>
          Скопировать
        </button>
        <span role="status" className="muted">
          {copied}
        </span>
      </div>
      <p className="muted">
        Действует до {formatDateTime(reply.expiresAt)}. Ссылка показывается один раз: сервис хранит только её
        отпечаток.
      </p>
      <canvas ref={canvas} className="approval-link__qr" role="img" aria-label="QR-код ссылки на согласование: покажите его клиенту" />
    </div>
  );
}
