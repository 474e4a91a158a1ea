/**
 * A command sent from a form, the same on every screen: busy while it is sent, its refusal kept as
 * the ApiError (so a form can place it beside its field) and as words, the refusal shown where the
 * user acted and a short note when it was done.
 */
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api/errors.ts';

/** The words of a refusal or a failure. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.messageRu : String(error);
}

/** Runs a command from a form. */
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
  return { busy, error, failure, clear, setError, run };
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

/** A form's end: its refusal, its note when done, and its buttons. */
export function FormEnd({
  error,
  done = null,
  actions,
  children,
}: {
  error: string | null | undefined;
  done?: string | null;
  /** The buttons' row's class (none: a plain block). */
  actions?: string;
  children: ReactNode;
}) {
  return (
    <>
      <CommandError error={error} />
      <Done message={done} />
      <div className={actions}>{children}</div>
    </>
  );
}
