import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors.ts';
import { login, resetForTests } from '../api/session.ts';
import { documentPath, fetchDocument } from './documents.ts';

interface Seen {
  url: string;
  authorization: string | undefined;
}

/** The services as this test answers them: the auth service's login, then `handler` for documents. */
function serve(handler: (seen: Seen) => Response): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    if (url.startsWith('/api/auth/')) {
      return new Response(JSON.stringify({ access_token: 't1', token_type: 'Bearer', expires_in: 600 }), { status: 200 });
    }
    const headers = (init.headers ?? {}) as Record<string, string>;
    const request = { url, authorization: headers.Authorization };
    seen.push(request);
    return handler(request);
  });
  return seen;
}

beforeEach(() => resetForTests());
afterEach(() => vi.unstubAllGlobals());

describe('printed documents', () => {
  it('are addressed under the query API, the receipt by its payment', () => {
    expect(documentPath('order', 'o1')).toBe('/api/v1/documents/work-orders/o1/order.pdf');
    expect(documentPath('act', 'o1')).toBe('/api/v1/documents/work-orders/o1/act.pdf');
    expect(documentPath('invoice', 'i1')).toBe('/api/v1/documents/invoices/i1/invoice.pdf');
    expect(documentPath('receipt', 'i1', 'p 1')).toBe('/api/v1/documents/invoices/i1/receipt.pdf?payment=p%201');
  });

  it('are fetched with the session token, as a blob', async () => {
    const seen = serve(() => new Response(new Blob(['%PDF-1.7']), { status: 200, headers: { 'Content-Type': 'application/pdf' } }));
    await login('advisor@motor.demo', 'secret');
    const blob = await fetchDocument(documentPath('order', 'o1'));
    expect(await blob.text()).toBe('%PDF-1.7');
    expect(seen[0]?.authorization).toBe('Bearer t1');
  });

  it('turn a refusal into the app error with its Russian words', async () => {
    serve(
      () =>
        new Response(
          JSON.stringify({
            errors: [{ message: 'not allowed', extensions: { code: 'forbidden', message_ru: 'Недостаточно прав' } }],
          }),
          { status: 403 },
        ),
    );
    await login('mechanic@motor.demo', 'secret');
    const refused = await fetchDocument(documentPath('invoice', 'i1')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('forbidden');
    expect((refused as ApiError).messageRu).toBe('Недостаточно прав');
  });
});
