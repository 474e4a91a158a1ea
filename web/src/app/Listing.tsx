/**
 * A list read from the server, said the same way on every screen: loading (announced), a failed
 * read with a way to try again, the screen's own words for an empty list, or the list itself.
 */
import type { ReactNode } from 'react';
import { LoadError } from './LoadError.tsx';
import { text } from './text.ts';

/** What of a read the list needs (a react-query result has it). */
export interface ListRead {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  refetch: () => unknown;
}

/** A list read page by page (a react-query infinite result has it). */
export interface PagedRead extends ListRead {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

export function Listing({
  read,
  count,
  empty,
  pages,
  children,
}: {
  read: ListRead;
  /** How many items the read has given so far. */
  count: number;
  /** What an empty list says. */
  empty: string;
  /**
   * A list read page by page, and its button's word for the next page: the pages it has stay
   * shown when a later one fails, and that failure is told below them, retried as the next page.
   */
  pages?: { read: PagedRead; more: string };
  children: ReactNode;
}) {
  let body: ReactNode;
  if (read.isPending) {
    body = (
      <p className="muted" role="status">
        {text.loading}
      </p>
    );
  } else if (read.isError && read.error && !(pages && count > 0)) {
    const { refetch } = read;
    body = <LoadError error={read.error} retry={() => void refetch()} />;
  } else if (count === 0) {
    body = <p className="muted">{empty}</p>;
  } else {
    body = children;
  }
  if (!pages) return <>{body}</>;
  const paged = pages.read;
  const next = () => void paged.fetchNextPage();
  return (
    <>
      {body}
      {paged.isError && paged.error && count > 0 && <LoadError error={paged.error} retry={next} />}
      {paged.hasNextPage && (
        <div>
          <button type="button" className="button" disabled={paged.isFetchingNextPage} onClick={next}>
            {paged.isFetchingNextPage ? text.loading : pages.more}
          </button>
        </div>
      )}
    </>
  );
}

/**
 * A list's card: a section named by its heading (only for assistive technology where the screen's
 * title already says what the list is).
 */
export function ListSection({
  id,
  title,
  hideTitle = false,
  children,
}: {
  id: string;
  title: string;
  hideTitle?: boolean;
  children: ReactNode;
}) {
  return (
    <section className="card stack" aria-labelledby={id}>
      <h2 id={id} className={hideTitle ? 'visually-hidden' : undefined}>
        {title}
      </h2>
      {children}
    </section>
  );
}
