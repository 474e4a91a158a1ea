/**
 * Аудит: find a work order, client or vehicle by its number or by search, then open its history
 * (`/audit/:kind/:id`). The search text is kept in the address. Read-only, for roles with
 * `history.read` (the menu and the route say so).
 */
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { LoadError } from '../app/LoadError.tsx';
import { KINDS } from './logic.ts';
import { useSearch } from './queries.ts';
import { text } from './text.ts';
import './audit.css';

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const asked = params.get('q') ?? '';
  const [typed, setTyped] = useState(asked);
  return (
    <div className="stack audit">
      <h1>{text.title}</h1>
      <p className="muted">{text.intro}</p>
      <form
        className="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(typed.trim() === '' ? {} : { q: typed.trim() }, { replace: true });
        }}
      >
        <div className="field audit-search">
          <label htmlFor="audit-search">
            <span>{text.searchLabel}</span>
          </label>
          <input
            id="audit-search"
            type="search"
            value={typed}
            autoComplete="off"
            aria-describedby="audit-search-hint"
            onChange={(e) => setTyped(e.target.value)}
          />
          <small id="audit-search-hint" className="muted">
            {text.searchHint}
          </small>
        </div>
        <button type="submit" className="button button--primary">
          {text.search}
        </button>
      </form>
      {asked.length >= 2 && <Hits text={asked} />}
    </div>
  );
}

function Hits({ text: asked }: { text: string }) {
  const search = useSearch(asked);
  if (search.isPending) {
    return (
      <p className="muted" role="status">
        {text.searching}
      </p>
    );
  }
  if (search.isError) return <LoadError error={search.error} retry={() => void search.refetch()} />;
  const hits = search.data.search.filter((hit) => KINDS[hit.kind] !== undefined);
  return (
    <section className="card stack" aria-labelledby="audit-found">
      <h2 id="audit-found">{text.found}</h2>
      {hits.length === 0 ? (
        <p className="muted">{text.nothing}</p>
      ) : (
        <ul className="audit-hits">
          {hits.map((hit) => (
            <li key={`${hit.kind}:${hit.id}`}>
              <span className="badge">{text.kinds[hit.kind] ?? hit.kind}</span>{' '}
              <Link to={`/audit/${hit.kind}/${hit.id}`}>{hit.title}</Link>
              {hit.subtitle && <span className="muted"> · {hit.subtitle}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
