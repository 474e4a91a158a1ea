/**
 * Photos on the order card: the advisor drops a photo on a new order; it goes up by the server's
 * presigned URL through the edge straight to the storage (s3s-fs), is attached once the server saw
 * it stored, and comes back in the gallery as a thumbnail the projector made, which opens the
 * original. A mechanic without a line on the order gets no upload URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, expectAccessible, launch, loginAs, newTab, screenshot, stack, uniquePhone, uuid } from './support.ts';

/** A 64×48 PNG, two colours. */
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAEAAAAAwCAIAAAAuKetIAAAASUlEQVR42u3PQQkAAAgEMOMYwv4Yyw7C/QYrsNqZqA4rAQEBAQEBAQEBAQEBAQEBAYFnYKM6TEBAQEBAQEBAQEBAQEBAQEDg5QDCEojTszhsCAAAAABJRU5ErkJggg==', 'base64');

describe('photos on the order card', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('uploads a photo to the storage, attaches it and shows its thumbnail', async () => {
    const api = await Api.as('advisor');
    const client = uuid();
    const vehicle = uuid();
    const order = uuid();
    await api.send('client', client, 'register', { party: { kind: 'person', full_name: 'Фотов Пётр' }, phones: [uniquePhone()] });
    await api.send('vehicle', vehicle, 'register', { make: 'Kia', model: 'Rio', year: 2020, owner: client, plate: 'М' + String(Date.now() % 1000).padStart(3, '0') + 'ОР77', confirm_plate: true });
    const opened = await api.send('work_order', order, 'open', { client_id: client, vehicle_id: vehicle });
    await api.query('query($id: UUID!) { workOrder(id: $id) { id } }', { id: order }, opened.position);

    const tab = await newTab(browser, { width: 1024, height: 1366 });
    const { page } = tab;
    await loginAs(page, 'advisor');
    await page.goto(`${stack().baseURL}/orders/${order}`);
    await page.locator('[data-card-ready]').waitFor({ timeout: 30_000 });
    const panel = page.getByRole('region', { name: 'Фото и сканы' });
    await panel.getByText('Пока нет ни одного файла.').waitFor();

    const put = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/motorlog-files/'));
    const attach = page.waitForResponse((r) => r.url().includes('/api/v1/attachment/') && r.url().endsWith('/attach'));
    await page.getByTestId('attachments-input').setInputFiles({ name: 'damage.png', mimeType: 'image/png', buffer: PHOTO });
    expect((await put).status()).toBe(200);
    expect((await attach).status()).toBe(200);

    // The projector makes the thumbnail: the gallery shows it once the read model has it.
    const thumbnail = panel.getByRole('img', { name: /^Фото: повреждения при приёмке/ });
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.locator('[data-card-ready]').waitFor({ timeout: 30_000 });
          return thumbnail.count();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(1);
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    const original = await thumbnail.locator('xpath=..').getAttribute('href');
    expect(original).toContain('/motorlog-files/work_order/');
    const fetched = await page.evaluate(async (url) => (await fetch(url)).status, original ?? '');
    expect(fetched).toBe(200);
    await expectAccessible(page, 'order card: photos');
    await screenshot(page, 'order-card-photos');
    expect(tab.problems).toEqual([]);
    await tab.context.close();

    // A mechanic with no line on this order gets no upload URL.
    const { baseURL, logins, password } = stack();
    const login = await fetch(`${baseURL}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: logins.mechanic, password }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const refused = await fetch(`${baseURL}/api/v1/files/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ to: { kind: 'work_order', id: order }, kind: 'photo', purpose: 'inspection', content_type: 'image/png', size: PHOTO.length, sha256: '0'.repeat(64) }),
    });
    expect(refused.status).toBe(403);
  });
});
