/** Pieces the store's screens share: the section's own menu, a failed read, a labelled field, a command runner. */
import { NavLink } from 'react-router';
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

/** The shared labelled field; the store's forms say a refusal in their own alert ([`CommandError`]). */
export { Field } from '../app/Field.tsx';

/** The app's command runner and its notes (see `app/Command.tsx`). */
export { CommandError, Done, FormEnd, messageOf, useCommand } from '../app/Command.tsx';
