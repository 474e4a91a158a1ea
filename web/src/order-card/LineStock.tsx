/**
 * A catalogue parts line's stock on the card: what is reserved on the shelf for it, what is to
 * order, what was issued to the car; and, for whoever issues parts, the forms that issue what is
 * on the shelf and take back what was issued. The figures are the server's; the stock stream
 * decides whether an issue or a return goes through, and its refusal is shown as it words it.
 */
import { useState, type FormEvent } from 'react';
import { formatThousandths, thousandthsToInput } from '../stock/logic.ts';
import { lineStockFigures, parseQuantityToThousandths, type LineStock, type LineStockFigures, type OrderLine } from './logic.ts';
import { text } from './text.ts';
import { Field, FormError, useAction } from './ui.tsx';
import { useStockCommands, type StockCommand } from './useOrderCard.ts';

const t = text.lineStock;

/** The line's figures as words: «в резерве 2 · под заказ 1 · выдано 2». */
export function stockWords(figures: LineStockFigures): string {
  const words = [
    figures.onShelf > 0 ? t.onShelf(formatThousandths(figures.onShelf)) : null,
    figures.toOrder > 0 ? t.toOrder(formatThousandths(figures.toOrder)) : null,
    figures.issued > 0 ? t.issued(formatThousandths(figures.issued)) : null,
  ].filter((word): word is string => word !== null);
  return words.length > 0 ? words.join(' · ') : t.nothing;
}

/** The line's stock under its name. */
export function LineStockStatus({ stock }: { stock: LineStock }) {
  const figures = lineStockFigures(stock);
  return (
    <div className="order-card__sub" data-line-stock="">
      {figures ? stockWords(figures) : '—'}
    </div>
  );
}

/** Issues the line's part to the car, or takes it back to the shelf with a reason. */
export function LineStockForm({
  orderId,
  line,
  stock,
  command,
  onDone,
}: {
  orderId: string;
  line: OrderLine;
  stock: LineStock;
  command: StockCommand;
  onDone: () => void;
}) {
  const figures = lineStockFigures(stock);
  const most = command === 'issue' ? (figures?.onShelf ?? 0) : (figures?.issued ?? 0);
  const [qty, setQty] = useState(most > 0 ? thousandthsToInput(most) : '');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const runStock = useStockCommands(orderId);
  const issuing = command === 'issue';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const thousandths = parseQuantityToThousandths(qty);
    if (thousandths === null) found.qty = t.quantityInvalid;
    if (!issuing && reason.trim() === '') found.reason = t.reasonRequired;
    setErrors(found);
    if (Object.keys(found).length > 0 || thousandths === null) return;
    const ok = await action.act(() =>
      issuing
        ? runStock(stock.partId, 'issue', { line_id: line.id, quantity_thousandths: thousandths })
        : runStock(stock.partId, 'return', { line_id: line.id, quantity_thousandths: thousandths, reason: reason.trim() }),
    );
    if (ok) onDone();
  }

  const title = issuing ? t.issueTitle(line.description) : t.giveBackTitle(line.description);
  return (
    <form className="row order-card__editor" onSubmit={submit} aria-label={title} noValidate>
      <p className="muted order-card__sub">{issuing ? t.canIssue(formatThousandths(most)) : t.canGiveBack(formatThousandths(most))}</p>
      <Field label={t.quantity} error={errors.qty}>
        {(p) => <input {...p} inputMode="decimal" value={qty} onChange={(e) => setQty(e.target.value)} />}
      </Field>
      {!issuing && (
        <Field label={t.reason} error={errors.reason} className="order-card__grow">
          {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      )}
      <button type="submit" className="button button--primary" disabled={action.busy}>
        {issuing ? t.issue : t.giveBack}
      </button>
      <button type="button" className="button" onClick={onDone}>
        {text.lines.cancel}
      </button>
      <FormError error={action.error} withConflict />
    </form>
  );
}
