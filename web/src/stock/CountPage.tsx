/**
 * Инвентаризация: one count (one `count_id`) for the session; the storekeeper finds the parts,
 * types what is on the shelf, and «Провести пересчёт» sends `count` for each part typed. The
 * server adjusts the books by the difference; the screen shows the difference it sent against the
 * books it showed, and each part's refusal beside it (a part is counted once per count).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { newId, send } from '../api/commands.ts';
import { useMe } from '../auth/me.ts';
import { countDifference, formatQuantity, formatThousandths, parseQuantity, stockId } from './logic.ts';
import { refreshStock, useParts } from './queries.ts';
import { text } from './text.ts';
import { FormEnd, StockNav, messageOf } from './ui.tsx';
import { LoadError } from '../app/LoadError.tsx';
import { DataTable } from '../app/DataTable.tsx';

const t = text.count;

interface Sent {
  difference: number | null;
  unit: string;
}

export function CountPage() {
  const me = useMe().data?.me;
  const client = useQueryClient();
  const [countId, setCountId] = useState(newId);
  const [search, setSearch] = useState('');
  const parts = useParts(search, true, 100);
  const nodes = parts.data?.parts.nodes ?? [];
  const [counted, setCounted] = useState<Record<string, string>>({});
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [sent, setSent] = useState<Record<string, Sent>>({});
  const [failures, setFailures] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setError(null);
    setDone(null);
    const typed = nodes.filter((part) => (counted[part.id] ?? '').trim() !== '' && !sent[part.id]);
    if (typed.length === 0) {
      setError(t.nothing);
      return;
    }
    const values = typed.map((part) => ({ part, value: parseQuantity(counted[part.id] ?? '', { allowZero: true }) }));
    if (values.some((v) => v.value === null)) {
      setError(t.invalid);
      return;
    }
    setBusy(true);
    const nowSent: Record<string, Sent> = {};
    const nowFailed: Record<string, string> = {};
    // One part after another: each is its own stock stream, and a refusal stays beside its part.
    for (const { part, value } of values) {
      if (value === null) continue;
      const reason = reasons[part.id]?.trim();
      try {
        await send('stock', stockId(part.id), 'count', {
          count_id: countId,
          counted_thousandths: value,
          ...(reason ? { reason } : {}),
        });
        nowSent[part.id] = { difference: countDifference(value, part.onHand ?? '0.000'), unit: part.unit };
      } catch (caught) {
        nowFailed[part.id] = messageOf(caught);
      }
    }
    setBusy(false);
    setSent((before) => ({ ...before, ...nowSent }));
    setFailures(nowFailed);
    setDone(t.done(Object.keys(nowSent).length));
    refreshStock(client);
  }

  function restart() {
    setCountId(newId());
    setCounted({});
    setReasons({});
    setSent({});
    setFailures({});
    setError(null);
    setDone(null);
  }

  return (
    <div className="stack">
      <StockNav me={me} />
      <h1>{t.title}</h1>
      <p className="muted">{t.intro}</p>
      <section className="card stack" aria-labelledby="count-title">
        <h2 id="count-title" className="visually-hidden">
          {t.caption}
        </h2>
        <div className="field" role="search">
          <label htmlFor="count-search">
            <span>{t.search}</span>
          </label>
          <input id="count-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        {parts.isPending ? (
          <p className="muted" role="status">
            {text.loading}
          </p>
        ) : parts.isError ? (
          <LoadError error={parts.error} retry={() => void parts.refetch()} />
        ) : nodes.length === 0 ? (
          <p className="muted">{text.stock.empty}</p>
        ) : (
          <DataTable
            className="table stock-table"
            scroll="stock-scroll"
            caption={t.caption}
            columns={[
              { title: text.stock.number },
              { title: t.books, num: true },
              { title: t.counted, num: true },
              { title: t.reason },
              { title: t.difference, num: true },
            ]}
          >
            {nodes.map((part) => {
              const sentRow = sent[part.id];
              const typed = counted[part.id] ?? '';
              const value = typed.trim() === '' ? null : parseQuantity(typed, { allowZero: true });
              const difference = sentRow ? sentRow.difference : value === null ? null : countDifference(value, part.onHand ?? '0.000');
              return (
                <tr key={part.id}>
                  <th scope="row">
                    {part.number}
                    <div className="muted stock-sub">
                      {part.brand} · {part.name}
                    </div>
                  </th>
                  <td className="num">{formatQuantity(part.onHand, part.unit)}</td>
                  <td className="num">
                    <input
                      className="stock-qty"
                      inputMode="decimal"
                      size={6}
                      aria-label={t.countedLabel(part.number)}
                      aria-invalid={typed.trim() !== '' && value === null ? true : undefined}
                      value={typed}
                      disabled={Boolean(sentRow)}
                      onChange={(e) => setCounted({ ...counted, [part.id]: e.target.value })}
                    />
                    {failures[part.id] && (
                      <div className="field__error" role="alert">
                        {failures[part.id]}
                      </div>
                    )}
                  </td>
                  <td>
                    <input
                      aria-label={t.reasonLabel(part.number)}
                      value={reasons[part.id] ?? ''}
                      disabled={Boolean(sentRow)}
                      onChange={(e) => setReasons({ ...reasons, [part.id]: e.target.value })}
                    />
                  </td>
                  <td className="num">
                    {difference === null ? '—' : `${difference > 0 ? '+' : ''}${formatThousandths(difference)}`}
                    {sentRow && <div className="badge badge--ok">{t.sent}</div>}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
        <FormEnd error={error} done={done} actions="row">
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void submit()}>
            {busy ? text.saving : t.submit}
          </button>
          <button type="button" className="button" disabled={busy} onClick={restart}>
            {t.restart}
          </button>
        </FormEnd>
      </section>
    </div>
  );
}
