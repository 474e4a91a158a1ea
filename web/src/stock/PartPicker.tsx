/**
 * Picks a catalogue part: a search box (number typed any way, name or brand) and the matches as a
 * plain list box, with what is available when the role reads stock. A native `<select>` keeps it
 * keyboard- and screen-reader-friendly without a custom combobox.
 */
import { useId, useState } from 'react';
import { can, useMe } from '../auth/me.ts';
import { formatQuantity } from './logic.ts';
import { useParts } from './queries.ts';
import { text } from './text.ts';

export interface PickedPart {
  id: string;
  number: string;
  brand: string;
  name: string;
  unit: string;
  available?: string | null;
}

const t = text.picker;

export function PartPicker({
  label = t.search,
  picked,
  onPick,
  error,
}: {
  label?: string;
  picked: PickedPart | null;
  onPick: (part: PickedPart | null) => void;
  error?: string | undefined;
}) {
  const id = useId();
  const me = useMe().data?.me;
  const withStock = can(me, 'stock.read');
  const [search, setSearch] = useState('');
  const parts = useParts(search, withStock, 20);
  const nodes = parts.data?.parts.nodes ?? [];
  const describe = (part: PickedPart) =>
    `${part.number} · ${part.brand} · ${part.name}${withStock && part.available != null ? ` · ${t.available(formatQuantity(part.available, part.unit))}` : ''}`;
  // The chosen part stays choosable while the search moves on.
  const options = picked && !nodes.some((part) => part.id === picked.id) ? [picked, ...nodes] : nodes;

  return (
    <div className={`field stock-picker${error ? ' field--invalid' : ''}`}>
      <label htmlFor={`${id}-search`}>
        <span>{label}</span>
      </label>
      <input id={`${id}-search`} type="search" autoComplete="off" value={search} onChange={(e) => setSearch(e.target.value)} />
      <label htmlFor={`${id}-list`}>
        <span>{t.matches}</span>
      </label>
      <select
        id={`${id}-list`}
        value={picked?.id ?? ''}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onPick(options.find((part) => part.id === e.target.value) ?? null)}
      >
        <option value="">{parts.isPending ? text.loading : options.length === 0 ? t.none : t.choose}</option>
        {options.map((part) => (
          <option key={part.id} value={part.id}>
            {describe(part)}
          </option>
        ))}
      </select>
      {error && (
        <span className="field__error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
