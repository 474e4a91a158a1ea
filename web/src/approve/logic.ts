/**
 * The client's approval page, its pure parts: the token from the link, money and quantities as a
 * Russian reader expects them, the answer's body, and what each refusal is called. No DOM, no
 * imports at runtime: the page loads none of the staff app's code (types only, from the command
 * API's own OpenAPI document).
 */
import type { components } from '../api/generated/openapi.ts';

type Schemas = components['schemas'];
export type ApprovalView = Schemas['ApprovalView'];
export type ShownLine = Schemas['ShownLine'];
export type AnswerBody = Schemas['AnswerBody'];
export type AnswerRecorded = Schemas['AnswerRecorded'];
export type Decision = Schemas['DecisionBody']['decision'];

const NBSP = '\u00a0';

/**
 * The token from the link's fragment (`/approve#<token>`), or null when there is none that could
 * be one. The server's token is base64url; anything else cannot match a link, so it is not sent.
 */
export function tokenFromFragment(hash: string): string | null {
  let text = hash.startsWith('#') ? hash.slice(1) : hash;
  try {
    text = decodeURIComponent(text);
  } catch {
    return null;
  }
  text = text.trim();
  return /^[A-Za-z0-9_-]{16,200}$/.test(text) ? text : null;
}

/** «1 890,50 ₽» from 189050 kopecks; integer arithmetic only, so no amount is ever rounded. */
export function formatKopecks(kopecks: number): string {
  const negative = kopecks < 0;
  const abs = Math.abs(Math.trunc(kopecks));
  const whole = String(Math.trunc(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const fraction = String(abs % 100).padStart(2, '0');
  return `${negative && abs > 0 ? '−' : ''}${whole},${fraction}${NBSP}₽`;
}

/** A fixed-point count (tenths, thousandths) in Russian digits: 15 tenths → «1,5». */
function fixed(value: number, scale: number): string {
  const whole = Math.trunc(value / scale);
  const digits = String(scale).length - 1;
  const rest = String(Math.abs(value % scale)).padStart(digits, '0').replace(/0+$/, '');
  return rest === '' ? String(whole) : `${whole},${rest}`;
}

/** A line's quantity: norm-hours (tenths) for labour, pieces (thousandths) for parts. */
export function formatQuantity(line: Pick<ShownLine, 'kind' | 'quantity'>): string {
  return line.kind === 'labour' ? `${fixed(line.quantity, 10)}${NBSP}н/ч` : `${fixed(line.quantity, 1000)}${NBSP}шт.`;
}

/** «15 %» from 1500 basis points. */
export function formatVatRate(bp: number): string {
  return `${fixed(bp, 100)}${NBSP}%`;
}

/** «8 декабря 2026 г., 14:30» in the reader's time zone. */
export function formatDateTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('ru-RU', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** The car in one line: «Lada Vesta, 2019, А123ВС77». */
export function describeVehicle(vehicle: ApprovalView['vehicle']): string {
  const name = [vehicle.make, vehicle.model].filter((p) => p && p.trim() !== '').join(' ');
  return [name, vehicle.year ? String(vehicle.year) : '', vehicle.plate ?? '']
    .filter((p) => p !== '')
    .join(', ');
}

/** The lines that wait for the client's word (the ones approved at the desk are shown, not asked). */
export function waitingLines(view: Pick<ApprovalView, 'lines'>): ShownLine[] {
  return view.lines.filter((line) => !line.approved);
}

/** The answer, or the waiting lines still without a decision (nothing is sent until there are none). */
export function buildAnswer(
  token: string,
  view: Pick<ApprovalView, 'lines' | 'revision'>,
  decisions: ReadonlyMap<string, Decision>,
  name: string,
): { ok: true; body: AnswerBody } | { ok: false; missing: ShownLine[] } {
  const waiting = waitingLines(view);
  const missing = waiting.filter((line) => !decisions.has(line.line_id));
  if (missing.length > 0) return { ok: false, missing };
  const trimmed = name.trim();
  return {
    ok: true,
    body: {
      token,
      revision: view.revision,
      decisions: waiting.map((line) => ({ line_id: line.line_id, decision: decisions.get(line.line_id) as Decision })),
      ...(trimmed === '' ? {} : { name: trimmed }),
    },
  };
}

/** A refusal as the page tells it: a title of its own; the text is the API's `message_ru`. */
export interface Refusal {
  code: string;
  title: string;
  message: string;
}

const TITLES: Record<string, string> = {
  approval_link_not_found: 'Ссылка не найдена',
  approval_link_expired: 'Срок действия ссылки истёк',
  approval_link_revoked: 'Ссылка отозвана',
  approval_link_stale: 'Смета изменилась',
  approval_link_used: 'Ответ уже получен',
  work_order_locked: 'Заказ-наряд уже нельзя изменить',
  rate_limited: 'Слишком много попыток',
  network: 'Нет связи',
};

const FALLBACK: Record<string, string> = {
  approval_link_not_found: 'Ссылка не найдена: проверьте, что она скопирована целиком',
  rate_limited: 'Слишком много запросов с вашего адреса. Подождите минуту и обновите страницу.',
  network: 'Нет связи с сервером. Проверьте интернет и обновите страницу.',
};

/** The refusal an answer stands for: the API's own body when it has one. */
export function refusalFrom(status: number, body: unknown): Refusal {
  const shape = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; message_ru?: unknown };
  let code = typeof shape.code === 'string' ? shape.code : `http_${status}`;
  if (status === 429 && typeof shape.code !== 'string') code = 'rate_limited';
  const message =
    typeof shape.message_ru === 'string' && shape.message_ru !== ''
      ? shape.message_ru
      : (FALLBACK[code] ?? 'Не удалось открыть смету. Попробуйте позже или свяжитесь с автосервисом.');
  return { code, title: TITLES[code] ?? 'Не удалось открыть смету', message };
}

/** A link with no token at all is refused here, without asking anyone. */
export const NO_TOKEN: Refusal = {
  code: 'approval_link_not_found',
  title: TITLES.approval_link_not_found ?? '',
  message: FALLBACK.approval_link_not_found ?? '',
};

export const NETWORK: Refusal = { code: 'network', title: TITLES.network ?? '', message: FALLBACK.network ?? '' };
