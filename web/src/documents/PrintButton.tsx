/** Buttons that open a printed document (PDF) in a new tab, with the refusal said in words. */
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api/errors.ts';
import { openDocument } from './documents.ts';

export const printText = {
  group: 'Печать',
  order: 'Заказ-наряд',
  act: 'Акт',
  invoice: 'Счёт',
  receipt: 'Квитанция',
  receiptOf: (n: number) => `Квитанция по оплате ${n}`,
  opening: 'Готовим документ…',
  failed: 'Документ не открылся. Повторите.',
  opensInNewTab: '(PDF, откроется в новой вкладке)',
};

export function PrintButton({ url, label, hint }: { url: string; label: string; hint?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    setBusy(true);
    setError(null);
    try {
      await openDocument(url);
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.messageRu : printText.failed);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="print-button">
      <button type="button" className="button" onClick={() => void open()} disabled={busy} aria-busy={busy}>
        {busy ? printText.opening : label}
        <span className="visually-hidden"> {hint ?? printText.opensInNewTab}</span>
      </button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </span>
  );
}

/** A labelled group of print buttons («Печать»). */
export function PrintGroup({ children }: { children: ReactNode }) {
  return (
    <div role="group" aria-label={printText.group} className="print-group">
      <span className="muted" aria-hidden="true">
        {printText.group}:
      </span>{' '}
      {children}
    </div>
  );
}
