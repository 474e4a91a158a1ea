/** An invoice's status in words (the colour only repeats what the words say). */
import { text } from './text.ts';

const TONE: Record<string, string> = {
  unpaid: 'badge--warning',
  partially_paid: 'badge--warning',
  paid: 'badge--ok',
  refunded: '',
  void: 'badge--danger',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${TONE[status] ?? ''}`.trim()}>{text.cashier.status[status] ?? status}</span>;
}
