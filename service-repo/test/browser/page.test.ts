/**
 * The page in a real browser: Debian's chromium driven by playwright-core (no browser download).
 * Drops chips on the page, waits for the tags, and for the same model run in the browser by
 * onnxruntime-web (WASM, threads under cross-origin isolation) to agree with the service.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) console.log(`browser test skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
const maybe = haveBrowser ? describe : describe.skip;

let app: FastifyInstance;
let browser: Browser;
let base: string;

maybe('the page in chromium', () => {
  beforeAll(async () => {
    app = await buildTestApp();
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser.close();
    await app.close();
    cleanTempDirs();
  });

  it('tags dropped chips and the browser run of the same model agrees with the service', async () => {
    const bundle = await tinyBundle();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => { errors.push(e.message); });
    await page.goto(base);
    expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
    await page.check('#browser');
    const files = bundle.images.slice(0, 3).map((i) => ({ name: i.name, mimeType: i.name.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer: i.bytes }));
    await page.setInputFiles('#files', files);
    await page.waitForSelector('#agreement[data-max-diff]', { timeout: 90_000 });
    const maxDiff = Number(await page.getAttribute('#agreement', 'data-max-diff'));
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    const predictions = page.locator('.prediction');
    const names = await Promise.all(files.map((_, i) => predictions.nth(i).getAttribute('data-name')));
    expect(await predictions.count()).toBe(files.length);
    expect(names).toEqual(files.map((f) => f.name));
    expect(await page.locator('.prediction').first().locator('.bar').count()).toBe(17);
    expect(await page.textContent('#status')).toMatch(/planet-tiny-test 0\.0\.0-tiny: 3 image\(s\) tagged/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
