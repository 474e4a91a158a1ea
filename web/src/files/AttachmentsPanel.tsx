/**
 * A record's photos and scans: a gallery of thumbnails (each opens the original), files dropped
 * on the panel or chosen, and the camera on a phone or tablet (`capture="environment"`). Each file
 * goes up by the server's presigned URL and is attached once the server saw it stored.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type DragEvent } from 'react';
import { send } from '../api/commands.ts';
import { ApiError } from '../api/errors.ts';
import { query } from '../api/graphql.ts';
import { formatDateTime } from '../format/dates.ts';
import { OrderAttachmentsDocument } from './queries.ts';
import { filesText as t } from './text.ts';
import { uploadFile, type Purpose } from './upload.ts';
import './attachments.css';

export const orderAttachmentsQuery = (orderId: string) => ({
  queryKey: ['order-attachments', orderId],
  queryFn: () => query(OrderAttachmentsDocument, { id: orderId }),
});

const PURPOSES = Object.keys(t.purposes) as Purpose[];

export function OrderAttachments({
  orderId,
  canAttach,
  canDetach,
  purpose: initialPurpose = 'inspection',
}: {
  orderId: string;
  canAttach: boolean;
  canDetach: boolean;
  purpose?: Purpose;
}) {
  const id = useId();
  const client = useQueryClient();
  const files = useQuery(orderAttachmentsQuery(orderId));
  const [purpose, setPurpose] = useState<Purpose>(initialPurpose);
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  async function upload(list: FileList | null) {
    if (!list || list.length === 0) return;
    setError(null);
    setDone(null);
    for (const file of Array.from(list)) {
      setBusy((n) => n + 1);
      try {
        await uploadFile({ kind: 'work_order', id: orderId }, file, purpose);
        setDone(t.uploaded);
      } catch (e) {
        setError(e instanceof ApiError ? e.messageRu : String(e));
      } finally {
        setBusy((n) => n - 1);
      }
    }
    await client.invalidateQueries({ queryKey: ['order-attachments', orderId] });
    void client.invalidateQueries({ queryKey: ['order-history', orderId] });
  }

  async function detach(attachmentId: string) {
    const reason = window.prompt(t.detachReason);
    if (!reason || reason.trim() === '') return;
    try {
      await send('attachment', attachmentId, 'detach', { reason: reason.trim() });
      await client.invalidateQueries({ queryKey: ['order-attachments', orderId] });
    } catch (e) {
      setError(e instanceof ApiError ? e.messageRu : String(e));
    }
  }

  function dropped(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    if (canAttach) void upload(event.dataTransfer.files);
  }

  const items = files.data?.workOrder?.attachments ?? [];
  return (
    <section className="card stack attachments" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t.title}</h2>
      {canAttach && (
        <div
          className={`attachments__drop${over ? ' attachments__drop--over' : ''}`}
          onDragOver={(event) => {
            event.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={dropped}
          data-testid="attachments-drop"
        >
          <p>{t.drop}</p>
          <div className="field">
            <label htmlFor={`${id}-purpose`}>{t.purpose}</label>
            <select id={`${id}-purpose`} value={purpose} onChange={(event) => setPurpose(event.target.value as Purpose)}>
              {PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {t.purposes[p]}
                </option>
              ))}
            </select>
          </div>
          <div className="attachments__buttons">
            <label className="button button--small">
              {t.choose}
              <input
                className="visually-hidden"
                type="file"
                multiple
                accept="image/jpeg,image/png,image/webp,application/pdf"
                onChange={(event) => void upload(event.target.files)}
                data-testid="attachments-input"
              />
            </label>
            <label className="button button--small">
              {t.camera}
              <input
                className="visually-hidden"
                type="file"
                accept="image/*"
                capture="environment"
                onChange={(event) => void upload(event.target.files)}
              />
            </label>
          </div>
        </div>
      )}
      <div aria-live="polite" role="status">
        {busy > 0 && <p>{t.uploading(busy)}</p>}
        {done && busy === 0 && <p>{done}</p>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items.length === 0 ? (
        <p>{t.empty}</p>
      ) : (
        <ul className="attachments__gallery">
          {items.map((file) => {
            const why = t.purposes[file.purpose as Purpose] ?? file.purpose;
            const at = formatDateTime(file.attachedAt);
            return (
              <li key={file.id} className="attachments__item">
                <a href={file.url} target="_blank" rel="noreferrer noopener" aria-label={`${t.open}: ${why}, ${at}`}>
                  {file.thumbnailUrl ? (
                    <img src={file.thumbnailUrl} alt={t.photoAlt(why, at)} loading="lazy" width={160} height={120} />
                  ) : (
                    <span className="attachments__name">{file.kind === 'scan' ? t.scan(why, at) : t.photoAlt(why, at)}</span>
                  )}
                </a>
                {canDetach && (
                  <button type="button" className="button button--small button--ghost" onClick={() => void detach(file.id)}>
                    {t.detach}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
