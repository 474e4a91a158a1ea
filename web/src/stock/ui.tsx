/** Pieces the store's screens share: the section's own menu, a failed read, a labelled field, a command runner. */
import { useState } from 'react';
import { NavLink } from 'react-router';
import { ApiError } from '../api/errors.ts';
import { can, type Me } from '../auth/me.ts';
import { text } from './text.ts';

/** The store's screens the role opens, as a second menu under the app's. */
export function StockNav({ me }: { me: Me | undefined }) {
  const links = [
    { to: '/stock', label: text.nav.stock, allowed: can(me, 'stock.read') },
    { to: '/stock/parts', label: text.nav.parts, allowed: can(me, 'part.read') },
    { to: '/stock/purchasing', label: text.nav.purchasing, allowed: can(me, 'purchase_order.read') },
    { to: '/stock/count', label: text.nav.count, allowed: can(me, 'stock.count') },
    { to: '/stock/margin', label: text.nav.margin, allowed: can(me, 'stock.read_costs') },
  ].filter((link) => link.allowed);
  return (
    <nav aria-label={text.nav.label} className="stock-nav">
      {links.map((link) => (
        <NavLink key={link.to} to={link.to} end className="button button--ghost stock-nav__link">
          {link.label}
        </NavLink>
      ))}
    </nav>
  );
}

/** The words of a refusal or a failure. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.messageRu : String(error);
}

/** The shared labelled field; the store's forms say a refusal in their own alert ([`CommandError`]). */
export { Field } from '../app/Field.tsx';

/** Runs a command from a form: busy while it is sent, its refusal kept to show. */
export function useCommand() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(send: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await send();
      return true;
    } catch (caught) {
      setError(messageOf(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}

/** A refusal where the user acted. */
export function CommandError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** A short success note, announced. */
export function Done({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="success" role="status">
      {message}
    </p>
  );
}
