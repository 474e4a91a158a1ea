/** Small pieces the card's sections share. */
import { useId, useState, type ReactNode } from 'react';
import type { ApiError } from '../api/errors.ts';
import type { Me } from '../auth/me.ts';
import type { Order } from './logic.ts';
import type { Outcome, RunCommand } from './useOrderCard.ts';

/** What every section of the card gets. */
export interface Section {
  order: Order;
  me: Me;
  run: RunCommand;
}

/**
 * A refusal shown where the user acted. A conflict is shown at the top of the card instead,
 * unless the form hides the card (a modal dialog): then `withConflict` shows it here too.
 */
export function FormError({ error, withConflict = false }: { error: ApiError | string | null; withConflict?: boolean }) {
  if (error === null) return null;
  const message = typeof error === 'string' ? error : error.isConflict && !withConflict ? null : error.messageRu;
  if (message === null) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/** A labelled input with its own error beside it. */
export function Field({
  label,
  error,
  children,
  className,
}: {
  label: string;
  error?: string | null | undefined;
  className?: string;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>
        <span>{label}</span>
      </label>
      {children(error ? { id, 'aria-invalid': true, 'aria-describedby': errorId } : { id })}
      {error && (
        <span className="field__error" id={errorId}>
          {error}
        </span>
      )}
    </div>
  );
}

/** Runs a command from a form: busy while it is sent, its refusal kept to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  async function act(send: () => Promise<Outcome>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const outcome = await send();
      if (!outcome.ok) setError(outcome.error);
      return outcome.ok;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, act };
}
