/**
 * Pieces the owner's screens share: the section's own menu (settings, directories, the service
 * catalogue, staff and roles), a labelled field with its error beside it, a command runner that
 * keeps the server's refusal, and the notes after a command.
 */
import { useState } from 'react';
import { NavLink } from 'react-router';
import { CommandError, Done, FormEnd, messageOf, useCommand } from '../app/Command.tsx';
import { Field as SharedField, type FieldProps } from '../app/Field.tsx';
import { can, type Me } from '../auth/me.ts';
import { placeError, type FormErrors } from './logic.ts';
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
    {
      to: '/settings/notifications',
      label: text.nav.notifications,
      allowed: can(me, 'settings.edit_requisites'),
    },
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

/**
 * The app's labelled field, its error announced as it appears (the error is the news after a
 * submit: the client's check or the domain's refusal placed beside its input).
 */
export function Field(props: FieldProps) {
  return <SharedField announce {...props} className={`owner-field${props.className ? ` ${props.className}` : ''}`} />;
}

/** The app's command runner and its notes (see `app/Command.tsx`). */
export { CommandError, Done, FormEnd, messageOf, useCommand };

/**
 * A form that checks its values before it sends them: its command, its note when done, and its
 * errors: what the check found, or the server's refusal placed beside the field it names.
 */
export function useCheckedForm<F extends string>(fields: Partial<Record<string, F>>) {
  const command = useCommand();
  const [checked, setChecked] = useState<FormErrors<F>>({ fields: {}, form: null });
  const [done, setDone] = useState<string | null>(null);
  /** A new submit: the last outcome cleared, what the check found kept; whether it may be sent. */
  function passes(found: FormErrors<F>): boolean {
    setDone(null);
    command.clear();
    setChecked(found);
    return Object.keys(found.fields).length === 0;
  }
  const errors = command.failure ? placeError(command.failure, fields) : checked;
  return { command, done, setDone, errors, passes };
}

/** A list's row: the one whose panel is open stands out, a switched-off one is dimmed. */
export function rowClass(current: boolean, active: boolean): string {
  return [current ? 'owner-table__current' : '', active ? '' : 'owner-table__inactive'].join(' ');
}

/** «Действует» / «Отключено» as a badge. */
export function ActiveBadge({ active, on = text.active, off = text.inactive }: { active: boolean; on?: string; off?: string }) {
  return <span className={`badge${active ? ' badge--ok' : ''}`}>{active ? on : off}</span>;
}
