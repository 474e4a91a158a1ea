/** A work order's card as it was: status, intake, lines and the totals the domain computed then. */
import type { AuditWorkOrderAtQuery } from '../api/generated/graphql/graphql.ts';
import { formatDateTime } from '../format/dates.ts';
import { formatMoney, formatPercentBp } from '../format/money.ts';
import { STATUS_LABEL, type Status } from '../work-order/lifecycle.ts';
import { LinesTable } from './LinesTable.tsx';
import { useWorkOrderAt } from './queries.ts';
import { Loaded } from './Loaded.tsx';
import { text } from './text.ts';

type Order = NonNullable<AuditWorkOrderAtQuery['workOrderAt']>;

export function OrderAt({ id, version }: { id: string; version: number }) {
  const at = useWorkOrderAt(id, version);
  return (
    <Loaded query={at} pick={(data) => data.workOrderAt}>
      {(order, refreshing) => <OrderState order={order} refreshing={refreshing} />}
    </Loaded>
  );
}

function OrderState({ order, refreshing }: { order: Order; refreshing: boolean }) {
  const s = text.state;
  return (
    <section className="card stack" aria-labelledby="audit-state" aria-busy={refreshing}>
      <h2 id="audit-state">{s.title(order.number)}</h2>
      <dl className="audit-facts">
        <dt>{s.status}</dt>
        <dd data-testid="audit-status">{STATUS_LABEL[order.status as Status] ?? order.status}</dd>
        {order.mileageKm != null && (
          <>
            <dt>{s.mileage}</dt>
            <dd>{s.km(order.mileageKm)}</dd>
          </>
        )}
        {order.complaints && (
          <>
            <dt>{s.complaints}</dt>
            <dd>{order.complaints}</dd>
          </>
        )}
        {order.promisedAt && (
          <>
            <dt>{s.promised}</dt>
            <dd>{formatDateTime(order.promisedAt)}</dd>
          </>
        )}
      </dl>
      <Lines order={order} />
      <h3 id="audit-totals">{s.totals}</h3>
      <dl className="audit-totals" aria-labelledby="audit-totals" data-testid="audit-totals">
        <div>
          <dt>{s.labour}</dt>
          <dd>{formatMoney(order.totals.labour)}</dd>
        </div>
        <div>
          <dt>{s.parts}</dt>
          <dd>{formatMoney(order.totals.parts)}</dd>
        </div>
        <div>
          <dt>{s.discountTotal}</dt>
          <dd>{formatMoney(order.totals.discount)}</dd>
        </div>
        <div>
          <dt>{s.total}</dt>
          <dd data-testid="audit-total">{formatMoney(order.totals.total)}</dd>
        </div>
        <div>
          <dt>{s.vat(formatPercentBp(order.totals.vatRateBp))}</dt>
          <dd>{formatMoney(order.totals.vat)}</dd>
        </div>
      </dl>
    </section>
  );
}

function Lines({ order }: { order: Order }) {
  const s = text.state;
  const c = s.columns;
  if (order.lines.length === 0) return <p className="muted">{s.noLines}</p>;
  return (
    <LinesTable
      caption={s.linesCaption}
      lines={order.lines}
      what={(line) => (
        <>
          {line.description}
          {line.partNumber && <span className="muted"> · {line.partNumber}</span>}
        </>
      )}
      discount={(line) => (line.discountBp > 0 ? `${formatPercentBp(line.discountBp)} · ${formatMoney(line.discount)}` : '—')}
      more={[
        {
          title: c.approval,
          cell: (line) => (
            <>
              {s.approval[line.approval] ?? line.approval}
              {line.approvedAt && (
                <span className="muted">
                  {' '}
                  ({[line.approvedBy, line.approvalChannel && s.channels[line.approvalChannel], formatDateTime(line.approvedAt)]
                    .filter(Boolean)
                    .join(', ')}
                  )
                </span>
              )}
            </>
          ),
        },
        { title: c.progress, cell: (line) => (line.progress ? (s.progress[line.progress] ?? line.progress) : '—') },
      ]}
    />
  );
}
