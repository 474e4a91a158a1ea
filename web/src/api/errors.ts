/**
 * One error for every refusal the web app can meet: the services' `{code, message, message_ru,
 * details}` (command API, auth) and GraphQL's `extensions` (query API) become the same object, so
 * a screen shows `messageRu` and branches on `code` / `status` without knowing who answered.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messageRu: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, messageRu: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.messageRu = messageRu;
    this.details = details;
  }

  /** Someone else changed the record (If-Match mismatch, a lost race). */
  get isConflict(): boolean {
    return this.status === 409 || this.status === 412;
  }

  /** The user's role does not allow it (the server is the authority). */
  get isForbidden(): boolean {
    return this.status === 403;
  }
}

/** What the app says when the network itself failed. */
export const networkError = (cause: unknown): ApiError =>
  new ApiError(0, 'network', String(cause), 'Нет связи с сервером. Проверьте сеть и повторите.');

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  message_ru?: unknown;
  details?: unknown;
}

/** The error a non-2xx answer stands for, from its body when it has our shape. */
export function errorFromBody(status: number, body: unknown): ApiError {
  let shape = (typeof body === 'object' && body !== null ? body : {}) as ErrorShape;
  // The query API refuses before GraphQL runs (401, 413, 503) in GraphQL's own shape.
  const errors = (shape as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const first = errors[0] as { message?: unknown; extensions?: Record<string, unknown> };
    const { code, message_ru, ...details } = first.extensions ?? {};
    shape = { code, message: first.message, message_ru, details };
  }
  const code = typeof shape.code === 'string' ? shape.code : `http_${status}`;
  const message = typeof shape.message === 'string' ? shape.message : `HTTP ${status}`;
  const messageRu = typeof shape.message_ru === 'string' ? shape.message_ru : fallbackRu(status);
  const details =
    typeof shape.details === 'object' && shape.details !== null ? (shape.details as Record<string, unknown>) : {};
  return new ApiError(status, code, message, messageRu, details);
}

function fallbackRu(status: number): string {
  if (status === 401) return 'Сессия закончилась: войдите снова.';
  if (status === 403) return 'Недостаточно прав для этого действия.';
  if (status === 404) return 'Не найдено.';
  if (status === 409 || status === 412) return 'Запись изменил другой сотрудник. Данные обновлены.';
  if (status === 429) return 'Слишком много попыток. Подождите и повторите.';
  if (status >= 500) return 'Сервер временно недоступен. Повторите через минуту.';
  return 'Запрос отклонён.';
}
