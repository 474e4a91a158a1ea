/**
 * The printed documents (PDF) from the query API. The session's token travels in the
 * Authorization header, which a plain link cannot send, so the PDF is fetched as a blob with the
 * token (one refresh and a retry on 401, as every call) and opened from an object URL.
 */
import { errorFromBody, networkError } from '../api/errors.ts';
import { accessToken, refresh, sessionEnded } from '../api/session.ts';

/** Where the web app reaches the documents (nginx passes `/api/v1/documents/` to the query API). */
export const DOCUMENTS_BASE = '/api/v1/documents';

export type DocumentKind = 'order' | 'act' | 'invoice' | 'receipt';

/** The path of a document: a work order's заказ-наряд or акт, an invoice's счёт or a payment's квитанция. */
export function documentPath(kind: DocumentKind, id: string, payment?: string): string {
  const at = encodeURIComponent(id);
  switch (kind) {
    case 'order':
      return `${DOCUMENTS_BASE}/work-orders/${at}/order.pdf`;
    case 'act':
      return `${DOCUMENTS_BASE}/work-orders/${at}/act.pdf`;
    case 'invoice':
      return `${DOCUMENTS_BASE}/invoices/${at}/invoice.pdf`;
    case 'receipt':
      return `${DOCUMENTS_BASE}/invoices/${at}/receipt.pdf?payment=${encodeURIComponent(payment ?? '')}`;
  }
}

async function once(url: string, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/pdf' };
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(url, { method: 'GET', credentials: 'same-origin', headers });
  } catch (cause) {
    throw networkError(cause);
  }
}

/** The PDF at `url` as a blob; a refusal becomes the app's `ApiError`. */
export async function fetchDocument(url: string): Promise<Blob> {
  let token = await accessToken();
  let response = await once(url, token);
  if (response.status === 401 && token !== null) {
    token = await refresh();
    if (token !== null) response = await once(url, token);
  }
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const error = errorFromBody(response.status, body);
    if (response.status === 401) sessionEnded(error);
    throw error;
  }
  return response.blob();
}

/**
 * Opens the PDF in a new tab. The tab is opened before the fetch (browsers allow a pop-up only in
 * the click itself) and pointed at the blob once it arrives; closed again if the fetch fails.
 */
export async function openDocument(url: string): Promise<void> {
  const tab = window.open('', '_blank');
  try {
    const blob = await fetchDocument(url);
    const objectUrl = URL.createObjectURL(blob);
    if (tab) tab.location.href = objectUrl;
    else window.location.assign(objectUrl);
    // The tab has loaded it by then; the URL is not needed for long.
    setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
  } catch (error) {
    tab?.close();
    throw error;
  }
}
