/**
 * Приёмка of one purchase order, made for a scanner: the part-number field comes first and holds
 * the focus; each Enter adds a unit to the line with that number (a scanner types the number and
 * Enter). Quantities can be typed per line too (litres, metres). «Оприходовать» sends one
 * `receive` with this receipt's id — also its Idempotency-Key, so a retry after a lost answer
 * takes nothing twice — and what is still to come is the server's.
 */
import { useQueryClient } from '@tanstack/react-query';
import { DataTable } from '../app/DataTable.tsx';
import { useRef, useState, type FormEvent } from 'react';
import { newId, send } from '../api/commands.ts';
import {
  decimalToThousandths,
  formatQuantity,
  formatThousandths,
  isOverReceived,
  parseQuantity,
  receiptLines,
  scan,
  thousandthsToInput,
  type Receipt,
  type ReceivingLine,
} from './logic.ts';
import { refreshStock } from './queries.ts';
import { text } from './text.ts';
import { FormEnd, useCommand } from './ui.tsx';

const t = text.receive;

interface OrderLine {
  id: string;
  number?: string | null;
  name?: string | null;
  outstanding: string;
}

export function Receiving({ orderId, lines }: { orderId: string; lines: readonly OrderLine[] }) {
  const client = useQueryClient();
  const command = useCommand();
  const scanField = useRef<HTMLInputElement>(null);
  const [scanned, setScanned] = useState('');
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [receiptId, setReceiptId] = useState(newId);
  const [note, setNote] = useState<{ kind: 'ok' | 'problem'; message: string } | null>(null);

  const receiving: ReceivingLine[] = lines.map((line) => ({
    id: line.id,
    number: line.number ?? null,
    outstanding: decimalToThousandths(line.outstanding) ?? 0,
  }));
  const parsed: Record<string, number | null> = {};
  for (const line of receiving) {
    const value = typed[line.id]?.trim() ?? '';
    parsed[line.id] = value === '' ? 0 : parseQuantity(value, { allowZero: true });
  }
  const receipt: Receipt = Object.fromEntries(Object.entries(parsed).map(([id, q]) => [id, q ?? 0]));
  const invalid = Object.values(parsed).some((q) => q === null);

  function onScan(event: FormEvent) {
    event.preventDefault();
    const result = scan(receiving, receipt, scanned);
    if (result.kind === 'added') {
      const line = receiving.find((l) => l.id === result.lineId);
      const now = result.receipt[result.lineId] ?? 0;
      setTyped({ ...typed, [result.lineId]: thousandthsToInput(now) });
      setNote({ kind: 'ok', message: t.added(line?.number ?? '', formatThousandths(now)) });
    } else if (result.kind === 'unknown') {
      setNote({ kind: 'problem', message: t.unknown(scanned.trim()) });
    }
    setScanned('');
    scanField.current?.focus();
  }

  async function receive() {
    setNote(null);
    const body = receiptLines(receiving, receipt);
    if (invalid) {
      command.setError(t.invalid);
      return;
    }
    if (body.length === 0) {
      command.setError(t.nothing);
      return;
    }
    const ok = await command.run(() =>
      send('purchase_order', orderId, 'receive', { receipt_id: receiptId, lines: body }, { idempotencyKey: receiptId }),
    );
    if (ok) {
      setTyped({});
      setReceiptId(newId());
      setNote({ kind: 'ok', message: t.done });
      refreshStock(client);
    }
    scanField.current?.focus();
  }

  return (
    <section className="stack stock-subform" aria-labelledby="receive-title">
      <h3 id="receive-title">{t.title}</h3>
      <form onSubmit={onScan} className="stack">
        <div className="field stock-scan">
          <label htmlFor="receive-scan">
            <span>{t.scan}</span>
          </label>
          <input
            id="receive-scan"
            ref={scanField}
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={scanned}
            aria-describedby="receive-scan-hint"
            onChange={(e) => setScanned(e.target.value)}
          />
          <span id="receive-scan-hint" className="muted stock-hint">
            {t.scanHint}
          </span>
        </div>
      </form>
      <div role="status">{note?.kind === 'ok' && <p className="success">{note.message}</p>}</div>
      {note?.kind === 'problem' && (
        <p className="error" role="alert">
          {note.message}
        </p>
      )}
      <DataTable
        className="table stock-table"
        caption={t.caption}
        columns={[
          { title: text.order.part },
          { title: text.order.outstanding, num: true },
          { title: t.now, num: true },
        ]}
      >
        {lines.map((line) => {
          const over = receiving.find((l) => l.id === line.id);
          const isOver = over ? isOverReceived(over, receipt) : false;
          const bad = parsed[line.id] === null;
          return (
            <tr key={line.id}>
              <th scope="row">
                {line.number ?? '—'}
                <div className="muted stock-sub">{line.name}</div>
              </th>
              <td className="num">{formatQuantity(line.outstanding, '')}</td>
              <td className="num">
                <input
                  className="stock-qty"
                  inputMode="decimal"
                  size={6}
                  aria-label={t.nowLabel(line.number ?? '')}
                  aria-invalid={bad || isOver ? true : undefined}
                  value={typed[line.id] ?? ''}
                  placeholder="0"
                  onChange={(e) => setTyped({ ...typed, [line.id]: e.target.value })}
                />
                {isOver && <div className="field__error">{t.over}</div>}
              </td>
            </tr>
          );
        })}
      </DataTable>
      <FormEnd error={command.error} actions="row">
        <button type="button" className="button button--primary" disabled={command.busy} onClick={() => void receive()}>
          {command.busy ? text.saving : t.submit}
        </button>
        <button
          type="button"
          className="button"
          disabled={command.busy}
          onClick={() => {
            setTyped({});
            setNote(null);
            command.setError(null);
          }}
        >
          {t.clear}
        </button>
      </FormEnd>
    </section>
  );
}
