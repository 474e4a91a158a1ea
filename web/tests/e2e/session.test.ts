/**
 * The session in the browser: the access token in memory only, the refresh token in an HttpOnly
 * cookie that survives a reload, logout ending it everywhere; and the edge's own promises
 * (security headers, caching, size limits) checked on the real nginx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { expectAccessible, launch, loginAs, newTab, screenshot, stack } from './support.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the session', () => {
  it('refuses a wrong password with the auth service’s words', async () => {
    const tab = await newTab(browser);
    const { baseURL, logins } = stack();
    await tab.page.goto(`${baseURL}/`);
    await expectAccessible(tab.page, 'login');
    await tab.page.getByLabel('E-mail или телефон').fill(logins.advisor);
    await tab.page.getByLabel('Пароль').fill('not-the-password');
    await tab.page.getByRole('button', { name: 'Войти' }).click();
    await expect.poll(() => tab.page.getByRole('alert').textContent()).toMatch(/парол/i);
    await screenshot(tab.page, 'login-refused');
    expect(tab.problems).toEqual([]);
    await tab.context.close();
  });

  it('survives a reload and ends on logout, with nothing in storage', async () => {
    const tab = await newTab(browser);
    const { page, context } = tab;
    await loginAs(page, 'advisor');
    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === 'motorlog_refresh');
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/auth/' });
    // Script can see neither the refresh cookie nor any token in storage.
    const visible = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
    }));
    expect(visible.cookie).not.toContain('motorlog_refresh');
    expect(visible.local + visible.session).not.toMatch(/eyJ|refresh|token/i);

    await page.reload();
    await page.getByRole('button', { name: 'Выйти' }).waitFor();
    const rotated = (await context.cookies()).find((c) => c.name === 'motorlog_refresh');
    expect(rotated?.value).toBeTruthy();
    expect(rotated?.value).not.toBe(refresh?.value);

    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('button', { name: 'Войти' }).waitFor();
    expect((await context.cookies()).find((c) => c.name === 'motorlog_refresh')).toBeUndefined();
    // The ended session cannot be brought back by the old cookie either.
    const replay = await fetch(`${stack().baseURL}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'x-motorlog-client': 'web', cookie: `motorlog_refresh=${rotated?.value}` },
    });
    expect(replay.status).toBe(401);
    await page.reload();
    await page.getByRole('button', { name: 'Войти' }).waitFor();
    expect(tab.problems).toEqual([]);
    await context.close();
  });
});

describe('the edge', () => {
  it('serves the app with its security headers and caching rules', async () => {
    const { baseURL } = stack();
    const index = await fetch(`${baseURL}/board`);
    expect(index.status).toBe(200);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index.headers.get('cache-control')).toBe('no-store');
    const html = await index.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    const asset = /\/assets\/[^"]+\.js/.exec(html)?.[0];
    expect(asset).toBeTruthy();
    const script = await fetch(`${baseURL}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(script.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('never lets a token answer be cached and cuts oversized bodies', async () => {
    const { baseURL, logins, password } = stack();
    const login = await fetch(`${baseURL}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: logins.cashier, password }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const huge = await fetch(`${baseURL}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { roles } } #${'x'.repeat(100_000)}` }),
    });
    expect(huge.status).toBe(413);
  });
});
