/**
 * The signed-in session as the browser holds it: the access token in memory only (never in
 * storage), renewed through the auth service's `HttpOnly` refresh cookie, which script cannot read.
 * A reload starts with no token and asks for one with the cookie; logout ends the cookie's session
 * on the server and clears it.
 *
 * Also here: the highest log position this tab has written, which reads send as `X-Min-Position`
 * so a screen never shows a state older than the user's own last command.
 */
import { ApiError, errorFromBody, networkError } from './errors.ts';

/** The header the auth service requires on cookie-based calls: its defence against CSRF. */
export const WEB_CLIENT_HEADER = { 'X-Motorlog-Client': 'web' } as const;
export const AUTH_BASE = '/api/auth';

export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed_out'; reason?: string }
  | { status: 'signed_in'; accessToken: string; expiresAt: number };

type Listener = (state: SessionState) => void;

let state: SessionState = { status: 'unknown' };
/** The log's reading order is (transaction id, position): `"<tx>:<position>"`, compared as a pair. */
let position: [bigint, bigint] | null = null;
const listeners = new Set<Listener>();
let refreshing: Promise<string | null> | null = null;

export function sessionState(): SessionState {
  return state;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener(state);
}

interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

function accept(answer: TokenAnswer): string {
  set({ status: 'signed_in', accessToken: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000 });
  return answer.access_token;
}

async function post(path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(`${AUTH_BASE}/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { ...WEB_CLIENT_HEADER, 'Content-Type': 'application/json' },
      body: body === undefined ? '{}' : JSON.stringify(body),
    });
  } catch (cause) {
    throw networkError(cause);
  }
}

async function bodyOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Logs in with an e-mail or phone; the refresh cookie is set by the answer. */
export async function login(loginName: string, password: string): Promise<void> {
  const response = await post('login', { login: loginName, password });
  const body = await bodyOf(response);
  if (!response.ok) throw errorFromBody(response.status, body);
  accept(body as TokenAnswer);
}

/**
 * A fresh access token from the refresh cookie, or null when there is no session. Concurrent
 * callers share one request: the refresh token is single-use, and a second use would be taken for
 * theft and end the session.
 */
export function refresh(): Promise<string | null> {
  refreshing ??= (async () => {
    try {
      const response = await post('refresh');
      const body = await bodyOf(response);
      if (response.ok) return accept(body as TokenAnswer);
      if (response.status === 401 || response.status === 403) {
        set({ status: 'signed_out' });
        return null;
      }
      throw errorFromBody(response.status, body);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A token good for the next request: the one in memory, renewed shortly before it expires. */
export async function accessToken(): Promise<string | null> {
  if (state.status === 'signed_in' && state.expiresAt - Date.now() > 30_000) return state.accessToken;
  if (state.status === 'signed_out') return null;
  return refresh();
}

export async function logout(): Promise<void> {
  try {
    await post('logout');
  } finally {
    position = null;
    set({ status: 'signed_out' });
  }
}

/** Signs the tab out after the server refused the session (401 after a refresh). */
export function sessionEnded(error: ApiError): void {
  set({ status: 'signed_out', reason: error.messageRu });
}

/**
 * Remembers a command's log position (`"<transaction>:<position>"`; none when the command changed
 * nothing): later reads wait for the read models to reach the highest one.
 */
export function wrote(at: string | null | undefined): void {
  const match = at ? /^(\d+):(\d+)$/.exec(at) : null;
  if (!match) return;
  const next: [bigint, bigint] = [BigInt(match[1] ?? 0), BigInt(match[2] ?? 0)];
  if (position === null || next[0] > position[0] || (next[0] === position[0] && next[1] > position[1])) {
    position = next;
  }
}

/** The position reads must reflect, or null before this tab wrote anything. */
export function minPosition(): string | null {
  return position === null ? null : `${position[0]}:${position[1]}`;
}

/** For tests: back to a fresh tab. */
export function resetForTests(): void {
  state = { status: 'unknown' };
  position = null;
  refreshing = null;
  listeners.clear();
}
