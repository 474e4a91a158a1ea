/**
 * What every browser test uses: Debian's Chromium through playwright-core (never a downloaded
 * browser), logging in through the login screen, screenshots, the accessibility check and a
 * plain API client for preparing records a test is not about.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { WEB, type Stack } from './stack.ts';

export type Role = keyof Stack['logins'];

export const stack = (): Stack => inject('stack');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(WEB, 'tests', 'e2e', 'screenshots');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Date and time inputs follow the browser's own locale (Debian's chromium-l10n has Russian),
    // as they do on the front desk's machines.
    env: { ...process.env, LANG: 'ru_RU.UTF-8', LANGUAGE: 'ru' },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=ru-RU',
    ],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Errors the page raised and CSP violations it reported: a test ends by expecting none. */
  problems: string[];
}

/** A new browser profile (its own cookies) with one page, at a desk-sized window by default. */
export async function newTab(browser: Browser, viewport = { width: 1440, height: 900 }): Promise<Tab> {
  const context = await browser.newContext({ viewport, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(text);
  });
  return { context, page, problems };
}

/** Logs in through the login screen as one of the demo shop's employees. */
export async function loginAs(page: Page, role: Role): Promise<void> {
  const { baseURL, logins, password } = stack();
  await page.goto(`${baseURL}/`);
  await page.getByLabel('E-mail или телефон').fill(logins[role]);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByRole('button', { name: 'Выйти' }).waitFor();
}

/** Saves the page as tests/e2e/screenshots/<name>.png (the README shows some of them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core over the page as it is now: no serious or critical violation. Evaluated through the
 * DevTools protocol, which the page's CSP (no inline scripts) does not govern.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = (await page.evaluate(`${axeSource}
    ;axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`)) as string[];
  expect(violations, `accessibility of ${screen}`).toEqual([]);
}

/** A plain API client for setting up records (through the same nginx the browser uses). */
export class Api {
  private constructor(private readonly token: string) {}

  static async as(role: Role): Promise<Api> {
    const { baseURL, logins, password } = stack();
    const response = await fetch(`${baseURL}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: logins[role], password }),
    });
    if (!response.ok) throw new Error(`login as ${role}: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { access_token: string };
    return new Api(body.access_token);
  }

  /** Sends a command; fails the test on any refusal. Returns the answer (version, position). */
  async send(aggregate: string, id: string, command: string, body: object): Promise<{ version: number; position: string }> {
    const response = await fetch(`${stack().baseURL}/api/v1/${aggregate}/${id}/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${aggregate}/${command}: ${response.status} ${text}`);
    return JSON.parse(text) as { version: number; position: string };
  }

  /** Runs a GraphQL query, waiting for `minPosition` when given. */
  async query<T>(query: string, variables: object = {}, minPosition?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${this.token}` };
    if (minPosition) headers['x-min-position'] = minPosition;
    const response = await fetch(`${stack().baseURL}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (!response.ok || body.errors) throw new Error(`query: ${response.status} ${JSON.stringify(body.errors)}`);
    return body.data as T;
  }
}

/** A UUID v7-like id for records a test creates. */
export function uuid(): string {
  return crypto.randomUUID();
}

/** A unique, valid-looking Russian mobile number for a test's client. */
export function uniquePhone(): string {
  const n = String(Date.now() % 10_000_000).padStart(7, '0');
  return `+7916${n}`;
}

/** The error shown beside an input (the element its aria-describedby names last). */
export async function errorBeside(page: Page, input: Locator): Promise<string> {
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const id = ids.at(-1);
  if (!id) return '';
  return (await page.locator(`[id="${id}"]`).textContent()) ?? '';
}
