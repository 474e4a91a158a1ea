/**
 * Pieces the planning screens share: the section's own menu, a failed read, a modal dialog, a
 * labelled field, and the offer to book past a day's capacity after the server refused.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { ApiError } from '../api/errors.ts';
import { Field as SharedField, type FieldProps } from '../app/Field.tsx';
import { can, type Me } from '../auth/me.ts';
import { text } from './text.ts';
import './planning.css';

/** The planning screens the role opens, as a second menu under the app's. */
export function PlanningNav({ me }: { me: Me | undefined }) {
  const links = [
    { to: '/planning', label: text.nav.planner, allowed: can(me, 'planning.read') },
    { to: '/planning/book', label: text.nav.book, allowed: can(me, 'appointment.book') },
  ].filter((link) => link.allowed);
  return (
    <nav aria-label={text.nav.label} className="planning-nav">
      {links.map((link) => (
        <NavLink key={link.to} to={link.to} end className="button button--ghost planning-nav__link">
          {link.label}
        </NavLink>
      ))}
    </nav>
  );
}

/** The words of a refusal or a failure. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.messageRu : text.unknownError;
}

/** Whether the server refused because the day is full (the one refusal an override answers). */
export function isCapacityExceeded(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'capacity_exceeded';
}

/**
 * The shared labelled field, its error announced: the planning forms check on submit and show one
 * field's error at a time, so the error is the news.
 */
export function Field(props: Omit<FieldProps, 'announce'>) {
  return <SharedField {...props} announce />;
}

/** A modal dialog (the browser's own: focus moves in and is kept there, Esc closes). */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement | null>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="planning-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/**
 * The server's «not enough capacity» in its own words and, for a user who may overload a day
 * (`appointment.overload`), the same command again with a reason, which the server records.
 */
export function OverloadOffer({
  error,
  me,
  busy,
  onOverride,
}: {
  error: ApiError;
  me: Me | undefined;
  busy: boolean;
  onOverride: (reason: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const allowed = can(me, 'appointment.overload');

  function override() {
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    onOverride(reason.trim());
  }

  return (
    <div className="notice stack planning-overload">
      <p className="planning-flat" role="alert">
        {error.messageRu}
      </p>
      {allowed ? (
        // Not a form: it sits inside the booking's or the move's own form.
        <div className="stack" role="group" aria-label={text.overload.submit}>
          <p className="planning-flat">{text.overload.offer}</p>
          <Field label={text.overload.reason} error={missing ? text.overload.reasonRequired : null}>
            {(p) => (
              <textarea
                {...p}
                value={reason}
                onChange={(e) => {
                  setReason(e.target.value);
                  if (e.target.value.trim() !== '') setMissing(false);
                }}
              />
            )}
          </Field>
          <div className="row">
            <button type="button" className="button button--danger" disabled={busy} onClick={override}>
              {text.overload.submit}
            </button>
          </div>
        </div>
      ) : (
        <p className="planning-flat">{text.overload.noRight}</p>
      )}
    </div>
  );
}
