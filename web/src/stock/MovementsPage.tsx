/**
 * Движения: one part's stock journal (`/stock/movements/<part id>`), newest first, page by page:
 * what moved (in the shop's words), how much (what a count found), how on hand, reserved and on
 * order changed, the document it belongs to and who did it, when. Every figure is the server's; the screen only writes it out.
 */
import { Link, useParams } from 'react-router';
import { can, useMe } from '../auth/me.ts';
import { formatDateTime } from '../format/dates.ts';
import { formatDelta, formatQuantity, movementDocument, type MovementDocument } from './logic.ts';
import { usePartHeader, useStockMovements } from './queries.ts';
import { text } from './text.ts';
import { StockNav } from './ui.tsx';
import { LoadError } from '../app/LoadError.tsx';
import { Listing, ListSection } from '../app/Listing.tsx';
import { DataTable } from '../app/DataTable.tsx';

const t = text.movements;

export function MovementsPage() {
  const me = useMe().data?.me;
  const { partId = '' } = useParams();
  const part = usePartHeader(partId);
  const header = part.data?.part;
  const unit = header?.unit ?? '';

  return (
    <div className="stack">
      <StockNav me={me} />
      <div className="row stock-panel__head">
        <h1>{header ? t.heading(header.number) : t.title}</h1>
        {can(me, 'part.read') && (
          <Link to="/stock/parts" className="button button--ghost">
            {t.back}
          </Link>
        )}
      </div>
      {part.isError ? (
        <LoadError error={part.error} retry={() => void part.refetch()} />
      ) : header ? (
        <p className="muted">
          {header.name} · {header.brand}
        </p>
      ) : part.data && !header ? (
        <p className="muted">{t.notFound}</p>
      ) : null}
      <Journal
        partId={partId}
        unit={unit}
        withOrders={can(me, 'work_order.read_all')}
        withPurchasing={can(me, 'purchase_order.read')}
      />
    </div>
  );
}

function Journal({
  partId,
  unit,
  withOrders,
  withPurchasing,
}: {
  partId: string;
  unit: string;
  withOrders: boolean;
  withPurchasing: boolean;
}) {
  const movements = useStockMovements(partId);
  const nodes = movements.data?.pages.flatMap((page) => page.stockMovements.nodes) ?? [];
  return (
    <ListSection id="movements-title" title={t.caption} hideTitle>
      <Listing read={movements} count={nodes.length} empty={t.empty} pages={{ read: movements, more: t.more }}>
        <DataTable
          className="table stock-table"
          scroll="stock-scroll"
          caption={t.caption}
          columns={[
            { title: t.at },
            { title: t.kind },
            { title: t.quantity, num: true },
            { title: t.onHand, num: true },
            { title: t.reserved, num: true },
            { title: t.onOrder, num: true },
            { title: t.document },
            { title: t.by },
          ]}
        >
          {nodes.map((movement, index) => (
            // Movements carry no id of their own; the page's order (newest first) is stable.
            <tr key={`${movement.at}:${movement.kind}:${index}`}>
              <td>{formatDateTime(movement.at)}</td>
              <th scope="row">
                {t.kinds[movement.kind] ?? movement.kind}
                {movement.reason && <div className="muted stock-sub">{movement.reason}</div>}
              </th>
              <td className="num">
                {/* A count names no quantity of its own: what it found is the figure to show. */}
                {movement.quantity == null && movement.counted != null
                  ? t.counted(formatQuantity(movement.counted, unit))
                  : formatQuantity(movement.quantity, unit)}
              </td>
              <td className="num">{formatDelta(movement.onHandDelta, unit)}</td>
              <td className="num">{formatDelta(movement.reservedDelta, unit)}</td>
              <td className="num">{formatDelta(movement.onOrderDelta, unit)}</td>
              <td>
                <DocumentLink document={movementDocument(movement)} withOrders={withOrders} withPurchasing={withPurchasing} />
              </td>
              <td>{movement.by?.fullName ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      </Listing>
    </ListSection>
  );
}

/** The movement's document: a link where the role can open it, its name otherwise. */
function DocumentLink({
  document,
  withOrders,
  withPurchasing,
}: {
  document: MovementDocument | null;
  withOrders: boolean;
  withPurchasing: boolean;
}) {
  if (!document) return <>—</>;
  const label = t.documents[document.kind];
  if (document.kind === 'work_order' && withOrders) return <Link to={`/orders/${document.id}`}>{label}</Link>;
  if (document.kind === 'purchase_order' && withPurchasing) {
    return <Link to={`/stock/purchasing?order=${encodeURIComponent(document.id)}`}>{label}</Link>;
  }
  return <>{label}</>;
}
