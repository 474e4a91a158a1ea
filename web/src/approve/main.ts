/**
 * The client's approval page (/approve#<token>): plain TypeScript and the DOM, no framework and
 * none of the staff app's code, so a stranger's phone loads a few kilobytes from this origin only
 * (the CSP allows nothing else). The token leaves the address bar at once and lives in this
 * module's memory: a reload, a bookmark or a shared screenshot does not carry it.
 */
import './approve.css';
import {
  type AnswerRecorded,
  type ApprovalView,
  type Decision,
  type Refusal,
  type ShownLine,
  NETWORK,
  NO_TOKEN,
  buildAnswer,
  describeVehicle,
  formatDateTime,
  formatKopecks,
  formatQuantity,
  formatVatRate,
  refusalFrom,
  tokenFromFragment,
  waitingLines,
} from './logic.ts';

const BASE = '/api/v1/public/approval';

type Child = Node | string | null | undefined | false;

/** An element with attributes and children; text is always text, never markup. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

const root = document.getElementById('approval') as HTMLElement;

function show(...children: Child[]): void {
  root.replaceChildren(...children.filter((c): c is Node | string => Boolean(c)));
  window.scrollTo(0, 0);
}

/** A refusal fills the page: what happened, in the API's words, and what to do next. */
function showRefusal(refusal: Refusal): void {
  document.title = refusal.title;
  const heading = el('h1', { tabindex: '-1' }, refusal.title);
  show(
    el(
      'section',
      { class: 'ap-refusal', 'data-code': refusal.code },
      el('div', { class: 'ap-refusal-mark', 'aria-hidden': 'true' }, '!'),
      heading,
      el('p', { class: 'ap-refusal-text' }, refusal.message),
      el('p', { class: 'ap-hint' }, 'Если вопрос остался, позвоните в автосервис.'),
    ),
  );
  heading.focus();
}

async function post<T>(path: string, body: unknown): Promise<{ ok: true; value: T } | { ok: false; refusal: Refusal }> {
  let response: Response;
  try {
    response = await fetch(`${BASE}/${path}`, {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, refusal: NETWORK };
  }
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  if (!response.ok) return { ok: false, refusal: refusalFrom(response.status, parsed) };
  return { ok: true, value: parsed as T };
}

function amountCell(line: ShownLine): HTMLElement {
  return el(
    'div',
    { class: 'ap-line-price' },
    el('span', { class: 'ap-qty' }, `${formatQuantity(line)} × ${formatKopecks(line.unit_price_kopecks)}`),
    line.discount_kopecks !== 0 &&
      el('span', { class: 'ap-discount' }, `скидка ${formatKopecks(line.discount_kopecks)}`),
    el('strong', { class: 'ap-amount' }, formatKopecks(line.amount_kopecks)),
  );
}

/** A waiting line: its two choices are one radio group, so a keyboard and a screen reader get it. */
function decisionLine(
  line: ShownLine,
  index: number,
  decisions: Map<string, Decision>,
  onDecide: () => void,
): HTMLElement {
  const name = `line-${index}`;
  const choice = (value: Decision, text: string): HTMLElement => {
    const input = el('input', { type: 'radio', name, value, class: 'ap-radio', id: `${name}-${value}` });
    input.addEventListener('change', () => {
      if (input.checked) {
        decisions.set(line.line_id, value);
        fieldset.classList.remove('ap-missing');
        fieldset.dataset.decision = value;
        onDecide();
      }
    });
    return el('label', { class: `ap-choice ap-choice-${value}`, for: `${name}-${value}` }, input, el('span', {}, text));
  };
  const fieldset = el(
    'fieldset',
    { class: 'ap-line', 'data-line-id': line.line_id },
    el('legend', { class: 'ap-line-title' }, line.description),
    amountCell(line),
    el(
      'div',
      { class: 'ap-choices' },
      choice('approve', 'Согласовать'),
      choice('decline', 'Отказаться'),
    ),
  );
  return fieldset;
}

function approvedLine(line: ShownLine): HTMLElement {
  return el(
    'li',
    { class: 'ap-line ap-line-done' },
    el('span', { class: 'ap-line-title' }, line.description),
    amountCell(line),
    el('span', { class: 'ap-badge' }, 'Уже согласовано'),
  );
}

function totals(view: ApprovalView): HTMLElement {
  const row = (label: string, value: string, cls = ''): HTMLElement[] => [
    el('dt', { class: cls }, label),
    el('dd', { class: cls }, value),
  ];
  const t = view.totals;
  return el(
    'section',
    { class: 'ap-totals', 'aria-labelledby': 'ap-totals-title' },
    el('h2', { id: 'ap-totals-title' }, 'Итого по смете'),
    el(
      'dl',
      {},
      ...row('Работы', formatKopecks(t.labour_kopecks)),
      ...row('Запчасти', formatKopecks(t.parts_kopecks)),
      ...(t.discount_kopecks !== 0 ? row('Скидка', formatKopecks(t.discount_kopecks)) : []),
      ...row('Всего', formatKopecks(t.total_kopecks), 'ap-total'),
      ...row(`в т.ч. НДС ${formatVatRate(t.vat_rate_bp)}`, formatKopecks(t.vat_kopecks), 'ap-vat'),
    ),
    el('p', { class: 'ap-hint' }, 'Сумма за строки, от которых вы откажетесь, не будет выставлена к оплате.'),
  );
}

function showEstimate(token: string, view: ApprovalView): void {
  document.title = `Смета ${view.work_order_number} — ${view.shop_name}`;
  const decisions = new Map<string, Decision>();
  const waiting = waitingLines(view);
  const done = view.lines.filter((line) => line.approved);
  const error = el('p', { class: 'ap-error', role: 'alert', id: 'ap-error' });
  // Once every line has its answer, the reminder to give one goes.
  const onDecide = () => {
    if (waiting.every((line) => decisions.has(line.line_id))) error.textContent = '';
  };
  const nameInput = el('input', {
    id: 'ap-name',
    type: 'text',
    name: 'name',
    autocomplete: 'name',
    maxlength: '120',
    class: 'ap-input',
  });
  const submit = el('button', { type: 'submit', class: 'ap-submit' }, 'Подтвердить');
  const form = el(
    'form',
    { class: 'ap-form', novalidate: '' },
    el('h2', { class: 'ap-section-title' }, 'Работы и запчасти'),
    el('p', { class: 'ap-hint' }, 'Отметьте по каждой строке, согласны ли вы.'),
    ...waiting.map((line, i) => decisionLine(line, i, decisions, onDecide)),
    done.length > 0 && el('ul', { class: 'ap-done', 'aria-label': 'Уже согласовано' }, ...done.map(approvedLine)),
    totals(view),
    el(
      'div',
      { class: 'ap-field' },
      el('label', { for: 'ap-name' }, 'Ваше имя (необязательно)'),
      nameInput,
    ),
    error,
    submit,
    el('p', { class: 'ap-hint' }, `Ссылка действует до ${formatDateTime(view.expires_at)}.`),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const answer = buildAnswer(token, view, decisions, nameInput.value);
    if (!answer.ok) {
      for (const line of answer.missing) {
        form.querySelector(`[data-line-id="${line.line_id}"]`)?.classList.add('ap-missing');
      }
      error.textContent =
        answer.missing.length === 1
          ? `Выберите «Согласовать» или «Отказаться» для строки «${answer.missing[0]?.description ?? ''}».`
          : `Выберите «Согласовать» или «Отказаться» для каждой строки (осталось ${answer.missing.length}).`;
      const first = answer.missing[0];
      if (first) (form.querySelector(`[data-line-id="${first.line_id}"] input`) as HTMLInputElement | null)?.focus();
      return;
    }
    error.textContent = '';
    submit.disabled = true;
    submit.textContent = 'Отправляем…';
    void post<AnswerRecorded>('answer', answer.body).then((result) => {
      if (!result.ok) {
        if (result.refusal.code === 'decision_missing') {
          submit.disabled = false;
          submit.textContent = 'Подтвердить';
          error.textContent = result.refusal.message;
          return;
        }
        showRefusal(result.refusal);
        return;
      }
      showThanks(view, decisions, result.value);
    });
  });
  show(header(view), form);
}

function header(view: ApprovalView): HTMLElement {
  return el(
    'header',
    { class: 'ap-header' },
    el('p', { class: 'ap-shop' }, view.shop_name || 'Автосервис'),
    el('h1', {}, `Смета по заказ-наряду ${view.work_order_number}`),
    el('p', { class: 'ap-car' }, describeVehicle(view.vehicle)),
  );
}

function showThanks(view: ApprovalView, decisions: Map<string, Decision>, recorded: AnswerRecorded): void {
  document.title = 'Спасибо — ответ получен';
  const named = (decision: Decision): string[] =>
    view.lines.filter((line) => decisions.get(line.line_id) === decision).map((line) => line.description);
  const list = (title: string, items: string[], cls: string): Child =>
    items.length > 0 &&
    el(
      'section',
      { class: cls },
      el('h2', {}, title),
      el('ul', {}, ...items.map((item) => el('li', {}, item))),
    );
  const heading = el('h1', { tabindex: '-1' }, 'Спасибо!');
  show(
    el(
      'section',
      { class: 'ap-thanks' },
      el('div', { class: 'ap-thanks-mark', 'aria-hidden': 'true' }, '✓'),
      heading,
      el(
        'p',
        {},
        `Ваш ответ передан в ${view.shop_name || 'автосервис'} ${formatDateTime(recorded.at)}: согласовано ${recorded.approved}, отклонено ${recorded.declined}.`,
      ),
      list('Согласовано', named('approve'), 'ap-thanks-approved'),
      list('Отклонено', named('decline'), 'ap-thanks-declined'),
      el('p', { class: 'ap-hint' }, 'Эту страницу можно закрыть.'),
    ),
  );
  heading.focus();
}

async function start(): Promise<void> {
  const token = tokenFromFragment(window.location.hash);
  // The token goes from the address bar before anything else can read or record it.
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  if (token === null) {
    showRefusal(NO_TOKEN);
    return;
  }
  const result = await post<ApprovalView>('view', { token });
  if (!result.ok) {
    showRefusal(result.refusal);
    return;
  }
  showEstimate(token, result.value);
}

void start();
