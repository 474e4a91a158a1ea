/**
 * Pieces the owner's screens share: the section's own menu (settings, directories, the service
 * catalogue, staff and roles), a labelled field with its error beside it, a command runner that
 * keeps the server's refusal, and the notes after a command.
 */
import { useState } from 'react';
import { NavLink } from 'react-router';
import { ApiError } from '../api/errors.ts';
import { Field as SharedField, type FieldProps } from '../app/Field.tsx';
import { can, type Me } from '../auth/me.ts';
import { text } from './text.ts';
import './owner.css';

/**
 * Any one of these opens the section (its menu entry): whoever may change something in it, or
 * see its staff or roles.
 */
export const OWNER_SECTION_PERMISSIONS = [
  'settings.edit_requisites',
  'settings.edit_prices',
  'settings.edit_taxes',
  'directory.edit',
  'catalogue.edit',
  'staff.read',
  'role.read',
];

/** The section's screens the role opens, as a second menu under the app's. */
export function OwnerNav({ me }: { me: Me | undefined }) {
  const links = [
    { to: '/settings', label: text.nav.settings, allowed: OWNER_SECTION_PERMISSIONS.some((p) => can(me, p)) },
    { to: '/staff', label: text.nav.staff, allowed: can(me, 'staff.read') },
    { to: '/settings/roles', label: text.nav.roles, allowed: can(me, 'role.read') },
    { to: '/settings/directories', label: text.nav.directories, allowed: can(me, 'directory.edit') },
    { to: '/settings/catalogue', label: text.nav.catalogue, allowed: can(me, 'catalogue.edit') },
  ].filter((link) => link.allowed);
  return (
    <nav aria-label={text.nav.label} className="owner-nav">
      {links.map((link) => (
        <NavLink key={link.to} to={link.to} end className="button button--ghost owner-nav__link">
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

/**
 * The app's labelled field, its error announced as it appears (the error is the news after a
 * submit: the client's check or the domain's refusal placed beside its input).
 */
export function Field(props: FieldProps) {
  return <SharedField announce {...props} className={`owner-field${props.className ? ` ${props.className}` : ''}`} />;
}

/**
 * Runs a command from a form: busy while it is sent, its refusal kept as the ApiError (so a form
 * can place it beside its field) and as words.
 */
export function useCommand() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function run(send: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setFailure(null);
    try {
      await send();
      return true;
    } catch (caught) {
      setFailure(caught instanceof ApiError ? caught : null);
      setError(messageOf(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }
  function clear() {
    setError(null);
    setFailure(null);
  }
  return { busy, error, failure, clear, run };
}

/** A refusal where the user acted. */
export function CommandError({ error }: { error: string | null | undefined }) {
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

/** «Действует» / «Отключено» as a badge. */
export function ActiveBadge({ active, on = text.active, off = text.inactive }: { active: boolean; on?: string; off?: string }) {
  return <span className={`badge${active ? ' badge--ok' : ''}`}>{active ? on : off}</span>;
}
