/**
 * The one search box (an ARIA 1.2 combobox with a grouped listbox): finds clients, cars and orders
 * as the advisor types, 200 ms after the last key. Arrows move through the options, Enter picks,
 * Escape closes; mouse and touch pick by click. Focus stays in the box throughout.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type KeyboardEvent, type RefObject } from 'react';
import { ApiError } from '../api/errors.ts';
import type { NewVisitSearchQuery } from '../api/generated/graphql/graphql.ts';
import { query } from '../api/graphql.ts';
import { formatPhone, formatPlate } from '../format/vehicle.ts';
import { statusLabel } from '../work-order/lifecycle.ts';
import { flatHits, groupHits, moveActive, searchText } from './logic.ts';
import { NewVisitSearchDocument } from './queries.ts';
import { text } from './text.ts';

export type SearchHit = NewVisitSearchQuery['search'][number];

const DEBOUNCE_MS = 200;

function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function hitTitle(hit: SearchHit): string {
  return hit.kind === 'vehicle' ? formatPlate(hit.title) : hit.title;
}

function hitSubtitle(hit: SearchHit): string | null {
  if (hit.subtitle == null) return null;
  if (hit.kind === 'client') return formatPhone(hit.subtitle);
  if (hit.kind === 'work_order') return statusLabel(hit.subtitle);
  return hit.subtitle;
}

interface Props {
  inputRef: RefObject<HTMLInputElement | null>;
  value: string;
  onChange: (value: string) => void;
  onPick: (hit: SearchHit) => void;
}

export function SearchBox({ inputRef, value, onChange, onPick }: Props) {
  const base = useId();
  const listId = `${base}-list`;
  const hintId = `${base}-hint`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const sent = searchText(useDebounced(value, DEBOUNCE_MS));
  const enabled = sent.length >= 2;

  const search = useQuery({
    queryKey: ['new-visit', 'search', sent],
    queryFn: () => query(NewVisitSearchDocument, { text: sent }),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });

  const hits = useMemo(() => (enabled ? (search.data?.search ?? []) : []), [enabled, search.data]);
  const groups = useMemo(() => groupHits(hits), [hits]);
  const flat = useMemo(() => flatHits(groups), [groups]);

  // A new answer starts with nothing highlighted.
  useEffect(() => setActive(-1), [flat]);

  const expanded = open && enabled && flat.length > 0;
  const optionId = (index: number) => `${base}-option-${index}`;

  function pick(hit: SearchHit) {
    setOpen(false);
    setActive(-1);
    onPick(hit);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      setActive((current) => moveActive(current, flat.length, event.key));
    } else if ((event.key === 'Home' || event.key === 'End') && expanded && active >= 0) {
      event.preventDefault();
      setActive((current) => moveActive(current, flat.length, event.key));
    } else if (event.key === 'Enter') {
      const hit = expanded ? flat[active >= 0 ? active : 0] : undefined;
      if (hit) {
        event.preventDefault();
        pick(hit);
      }
    } else if (event.key === 'Escape') {
      if (expanded) {
        event.preventDefault();
        setOpen(false);
        setActive(-1);
      } else if (value !== '') {
        onChange('');
      }
    }
  }

  const error = search.error instanceof ApiError ? search.error.messageRu : search.error ? text.unknownError : null;
  let status = '';
  if (value.trim().length > 0 && !enabled && value.trim().length < 2) status = text.search.tooShort;
  else if (enabled && search.isFetching && !search.data) status = text.search.searching;
  else if (enabled && search.data && !search.isPlaceholderData) {
    status = flat.length > 0 ? text.search.found(flat.length) : text.search.nothing;
  }

  return (
    <div className="nv-search">
      <label htmlFor={`${base}-input`} className="nv-search__label">
        {text.search.label}
      </label>
      <div className="nv-search__box">
        <input
          ref={inputRef}
          id={`${base}-input`}
          className="nv-search__input"
          type="search"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-describedby={hintId}
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          value={value}
          onChange={(event) => {
            onChange(event.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        <div id={listId} role="listbox" aria-label={text.search.listLabel} className="nv-search__list" hidden={!expanded}>
          {groups.map((group) => (
            <div key={group.kind} role="group" aria-labelledby={`${base}-group-${group.kind}`} className="nv-search__group">
              <div id={`${base}-group-${group.kind}`} role="presentation" className="nv-search__group-label">
                {text.search.groups[group.kind]}
              </div>
              {group.hits.map(({ hit, index }) => {
                const subtitle = hitSubtitle(hit);
                return (
                  <div
                    key={`${hit.kind}-${hit.id}`}
                    id={optionId(index)}
                    role="option"
                    aria-selected={index === active}
                    className={`nv-search__option${index === active ? ' nv-search__option--active' : ''}`}
                    // Keep the focus in the box: the click below picks.
                    onMouseDown={(event) => event.preventDefault()}
                    onMouseMove={() => setActive(index)}
                    onClick={() => pick(hit)}
                  >
                    <span className="nv-search__title">{hitTitle(hit)}</span>
                    {subtitle && <span className="nv-search__subtitle">{subtitle}</span>}
                    {hit.rank < 1 && hit.kind === 'client' && <span className="badge">{text.search.similar}</span>}
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      </div>
      <span id={hintId} className="nv-hint">
        {text.search.hint}
      </span>
      {/* One live region: «nothing found» is also shown; the other states are for screen readers. */}
      <p className={status === text.search.nothing ? 'muted nv-search__empty' : 'visually-hidden'} role="status">
        {status}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
