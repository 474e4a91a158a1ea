/**
 * A table of records as every list screen draws it: its caption for assistive technology, its
 * column headings (a number's column right-aligned, a column of buttons named only for assistive
 * technology), its rows; in a scrolling box where the screen's layout wants one.
 */
import type { ReactNode } from 'react';

export interface Column {
  title: ReactNode;
  /** Numbers: right-aligned. */
  num?: boolean;
  /** A column of buttons: its heading said only to assistive technology. */
  hidden?: boolean;
}

export function DataTable({
  className,
  scroll,
  caption,
  columns,
  children,
}: {
  className: string;
  /** The scrolling box's class, where there is one. */
  scroll?: string;
  caption: string;
  /** A column shown only sometimes is given as `false` where it is not. */
  columns: readonly (Column | false)[];
  /** The rows. */
  children: ReactNode;
}) {
  const table = (
    <table className={className}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, index) =>
            column ? (
              <th key={index} scope="col" className={column.num ? 'num' : undefined}>
                {column.hidden ? <span className="visually-hidden">{column.title}</span> : column.title}
              </th>
            ) : null,
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return scroll ? <div className={scroll}>{table}</div> : table;
}

/**
 * A row's button that opens the row's panel beside the list, pressed while it is open; pressed
 * again, it closes it. Its visible word is short; its accessible name says which row.
 */
export function RowToggle({
  label,
  open,
  onToggle,
  children,
}: {
  label: string;
  open: boolean;
  onToggle: () => void;
  children: ReactNode;
}) {
  return (
    <button type="button" className="button button--small button--ghost" aria-label={label} aria-pressed={open} onClick={onToggle}>
      {children}
    </button>
  );
}
