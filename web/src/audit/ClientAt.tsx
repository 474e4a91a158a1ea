/**
 * A client's card as it was: who (a company's name; a person's is hidden), standing, discount,
 * consents and the staff's notes. Personal fields come worded as hidden by the query API, which
 * holds no keys to them; this panel says so once rather than leaving the auditor to guess.
 */
import type { AuditClientAtQuery } from '../api/generated/graphql/graphql.ts';
import { formatDateTime } from '../format/dates.ts';
import { formatPercentBp } from '../format/money.ts';
import { Loaded } from './Loaded.tsx';
import { useClientAt } from './queries.ts';
import { text } from './text.ts';

type Client = NonNullable<AuditClientAtQuery['clientAt']>;
type Consent = Client['messagesConsent'];

const TONE: Record<string, string> = { active: 'badge--ok', archived: 'badge--warning', erased: 'badge--danger' };

export function ClientAt({ id, version }: { id: string; version: number }) {
  const at = useClientAt(id, version);
  return (
    <Loaded query={at} pick={(data) => data.clientAt}>
      {(client, refreshing) => <ClientState client={client} refreshing={refreshing} />}
    </Loaded>
  );
}

function ClientState({ client, refreshing }: { client: Client; refreshing: boolean }) {
  const s = text.client;
  const company = client.kind === 'company';
  return (
    <section className="card stack" aria-labelledby="audit-state" aria-busy={refreshing}>
      <h2 id="audit-state">{s.title(company ? client.displayName : null)}</h2>
      <dl className="audit-facts">
        <dt>{s.kind}</dt>
        <dd>{s.kinds[client.kind] ?? client.kind}</dd>
        <dt>{s.name}</dt>
        <dd>{client.displayName}</dd>
        {client.inn && (
          <>
            <dt>{s.inn}</dt>
            <dd>{client.inn}</dd>
          </>
        )}
        {client.kpp && (
          <>
            <dt>{s.kpp}</dt>
            <dd>{client.kpp}</dd>
          </>
        )}
        <dt>{s.email}</dt>
        <dd>{client.email ?? '—'}</dd>
        <dt>{s.standing}</dt>
        <dd data-testid="audit-standing">
          <span className={`badge ${TONE[client.standing] ?? ''}`.trim()}>{s.standings[client.standing] ?? client.standing}</span>
        </dd>
        <dt>{s.discount}</dt>
        <dd>{formatPercentBp(client.discountBp)}</dd>
        <dt>{s.messagesConsent}</dt>
        <dd>{consent(client.messagesConsent)}</dd>
        <dt>{s.personalDataConsent}</dt>
        <dd>{consent(client.personalDataConsent)}</dd>
      </dl>
      <h3 id="audit-notes">{s.notes}</h3>
      {client.notes.length === 0 ? (
        <p className="muted">{s.noNotes}</p>
      ) : (
        <ul aria-labelledby="audit-notes">
          {client.notes.map((note, i) => (
            <li key={i}>{s.note(formatDateTime(note.at), note.text)}</li>
          ))}
        </ul>
      )}
      <p className="muted">{s.hidden}</p>
    </section>
  );
}

function consent(given: Consent): string {
  const s = text.client;
  if (!given) return s.noConsent;
  return s.consent(given.given, s.channels[given.channel] ?? given.channel, formatDateTime(given.at));
}
