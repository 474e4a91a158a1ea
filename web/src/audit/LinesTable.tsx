/**
 * The lines of a record as it was, for a work order's card and an invoice's frozen lines alike: the
 * same six columns in the same order and formats (so the auditor compares the two at a glance), and
 * whatever more a record has (a work order's approval and progress) after them.
 */
import type { ReactNode } from 'react';
import { DataTable } from '../app/DataTable.tsx';
import { formatMoney } from '../format/money.ts';
import { formatAmountOf } from './logic.ts';
import { text } from './text.ts';

/** What every record's line has; money as the domain computed it (a decimal string). */
interface Line {
  id: string;
  kind: string;
  quantity: string;
  unitPrice: string;
  amount: string;
}

/** A column only some records have: its heading and its cell. */
export interface MoreColumn<L> {
  title: string;
  cell: (line: L) => ReactNode;
}

export function LinesTable<L extends Line>({
  caption,
  lines,
  what,
  discount,
  more = [],
}: {
  caption: string;
  lines: readonly L[];
  /** The row's heading: the work or the part. */
  what: (line: L) => ReactNode;
  discount: (line: L) => ReactNode;
  more?: readonly MoreColumn<L>[];
}) {
  const s = text.state;
  const c = s.columns;
  return (
    <DataTable
      className="table"
      scroll="stock-scroll"
      caption={caption}
      columns={[
        { title: c.what },
        { title: c.kind },
        { title: c.qty, num: true },
        { title: c.price, num: true },
        { title: c.discount, num: true },
        { title: c.amount, num: true },
        ...more.map((column) => ({ title: column.title })),
      ]}
    >
      {lines.map((line) => (
        <tr key={line.id}>
          <th scope="row">{what(line)}</th>
          <td>{s.kinds[line.kind] ?? line.kind}</td>
          <td className="num">{formatAmountOf(line.quantity)}</td>
          <td className="num">{formatMoney(line.unitPrice)}</td>
          <td className="num">{discount(line)}</td>
          <td className="num">{formatMoney(line.amount)}</td>
          {more.map((column) => (
            <td key={column.title}>{column.cell(line)}</td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}
