import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './errors.ts';
import { call } from './http.ts';
import { login, logout, minPosition, refresh, resetForTests, sessionState, wrote } from './session.ts';

interface Seen {
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Handler = (request: Seen) => { status: number; body?: unknown };

function serve(handler: Handler): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const request = { url, headers, body: init.body as string | undefined };
    seen.push(request);
    const answer = handler(request);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status });
  });
  return seen;
}

const tokens = (token: string) => ({ status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 600 } });

beforeEach(() => resetForTests());
afterEach(() => vi.unstubAllGlobals());

describe('the session', () => {
  it('logs in with the web header and keeps the token in memory only', async () => {
    const seen = serve(() => tokens('t1'));
    await login('advisor@motor.demo', 'secret');
    expect(seen[0]?.url).toBe('/api/auth/login');
    expect(seen[0]?.headers['x-motorlog-client']).toBe('web');
    expect(sessionState()).toMatchObject({ status: 'signed_in', accessToken: 't1' });
  });

  it('shares one refresh between concurrent callers: the refresh token is single-use', async () => {
    const seen = serve((request) => (request.url.endsWith('/refresh') ? tokens('t2') : { status: 200, body: {} }));
    const [a, b, c] = await Promise.all([refresh(), refresh(), refresh()]);
    expect([a, b, c]).toEqual(['t2', 't2', 't2']);
    expect(seen.filter((r) => r.url.endsWith('/refresh'))).toHaveLength(1);
  });

  it('a reload without a cookie ends signed out', async () => {
    serve(() => ({ status: 401, body: { code: 'invalid_refresh_token', message: 'x', message_ru: 'y' } }));
    expect(await refresh()).toBeNull();
    expect(sessionState().status).toBe('signed_out');
  });

  it('logout forgets the token and the written position', async () => {
    serve((request) => (request.url.endsWith('/logout') ? { status: 204 } : tokens('t1')));
    await login('a', 'b');
    wrote('900:42');
    await logout();
    expect(sessionState().status).toBe('signed_out');
    expect(minPosition()).toBeNull();
  });
});

describe('calls', () => {
  it('sends the token and, on reads, the highest position this tab wrote', async () => {
    const seen = serve((request) => (request.url.startsWith('/api/auth') ? tokens('t1') : { status: 200, body: { ok: true } }));
    await login('a', 'b');
    wrote('900:17');
    wrote('901:9');
    wrote('900:30');
    wrote(null);
    await call('/graphql', { body: {}, withPosition: true });
    await call('/api/v1/x', { body: {} });
    const [read, command] = seen.slice(1);
    expect(read?.headers.authorization).toBe('Bearer t1');
    expect(read?.headers['x-min-position']).toBe('901:9');
    expect(command?.headers['x-min-position']).toBeUndefined();
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    let first = true;
    const seen = serve((request) => {
      if (request.url.endsWith('/login')) return tokens('old');
      if (request.url.endsWith('/refresh')) return tokens('new');
      if (request.headers.authorization === 'Bearer old' && first) {
        first = false;
        return { status: 401, body: { code: 'token_revoked', message: 'm', message_ru: 'м' } };
      }
      return { status: 200, body: { answer: 1 } };
    });
    await login('a', 'b');
    const answer = await call<{ answer: number }>('/graphql', { body: {} });
    expect(answer.body.answer).toBe(1);
    expect(seen.map((r) => r.url)).toEqual(['/api/auth/login', '/graphql', '/api/auth/refresh', '/graphql']);
    expect(seen[3]?.headers.authorization).toBe('Bearer new');
  });

  it('turns refusals into ApiError with the Russian message, whichever service answered', async () => {
    serve((request) => {
      if (request.url.startsWith('/api/auth')) return tokens('t');
      if (request.url === '/graphql')
        return { status: 413, body: { errors: [{ message: 'too big', extensions: { code: 'body_too_large', message_ru: 'Слишком большой запрос' } }] } };
      return {
        status: 412,
        body: { code: 'version_mismatch', message: 'changed', message_ru: 'Заказ изменён', details: { actual: 7 } },
      };
    });
    await login('a', 'b');
    const command = await call('/api/v1/work_order/x/complete', { body: {} }).catch((e: unknown) => e);
    expect(command).toBeInstanceOf(ApiError);
    expect(command).toMatchObject({ status: 412, code: 'version_mismatch', messageRu: 'Заказ изменён', isConflict: true });
    expect((command as ApiError).details.actual).toBe(7);
    const graphql = await call('/graphql', { body: {} }).catch((e: unknown) => e);
    expect(graphql).toMatchObject({ status: 413, code: 'body_too_large', messageRu: 'Слишком большой запрос' });
  });
});
