/**
 * A labelled input with its hint and its own error tied to it (`aria-describedby`, `aria-invalid`),
 * for every screen's forms: the input is the caller's, given the props that tie it to the label.
 */
import { useId, type ReactNode } from 'react';

/** What ties the caller's input to its label, hint and error. */
export interface FieldInputProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

export interface FieldProps {
  label: string;
  error?: string | null | undefined;
  hint?: string | undefined;
  className?: string | undefined;
  /**
   * Announce the error as it appears (`role="alert"`): for a form whose errors come one at a time
   * from a check on submit, where the error is the news. Off where a form's own alert says it.
   */
  announce?: boolean;
  children: (props: FieldInputProps) => ReactNode;
}

export function Field({ label, error, hint, className, announce = false, children }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  const props: FieldInputProps = { id };
  if (error) props['aria-invalid'] = true;
  if (described) props['aria-describedby'] = described;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>
        <span>{label}</span>
      </label>
      {children(props)}
      {hint && (
        <span id={`${id}-hint`} className="muted field__hint">
          {hint}
        </span>
      )}
      {error && (
        <span className="field__error" id={`${id}-error`} role={announce ? 'alert' : undefined}>
          {error}
        </span>
      )}
    </div>
  );
}
