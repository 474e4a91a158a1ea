/**
 * The one way the app talks to the services: the access token on every call, one refresh and a
 * retry when it expired, `X-Min-Position` on reads, and every refusal turned into an `ApiError`.
 */
import { ApiError, errorFromBody, networkError } from './errors.ts';
import { accessToken, minPosition, refresh, sessionEnded } from './session.ts';

export interface FetchOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the read-your-writes position (reads only). */
  withPosition?: boolean;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

async function once(url: string, token: string | null, options: FetchOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const position = options.withPosition ? minPosition() : null;
  if (position) headers['X-Min-Position'] = position;
  try {
    return await fetch(url, {
      method: options.method ?? 'POST',
      credentials: 'same-origin',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (cause) {
    throw networkError(cause);
  }
}

async function json(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * Calls a service with the session's token. A 401 means the token expired or was revoked: one
 * refresh through the cookie, one retry; a second 401 ends the session in this tab.
 */
export async function call<T>(url: string, options: FetchOptions = {}): Promise<Answer<T>> {
  let token = await accessToken();
  let response = await once(url, token, options);
  if (response.status === 401 && token !== null) {
    token = await refresh();
    if (token !== null) response = await once(url, token, options);
  }
  const body = await json(response);
  if (!response.ok) {
    const error = errorFromBody(response.status, body);
    if (response.status === 401) sessionEnded(error);
    throw error;
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

export { ApiError };
