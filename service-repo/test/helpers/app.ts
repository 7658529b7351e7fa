/** Builds the service for tests around a tiny bundle written once per test file into a temp folder. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/build.js';
import { loadConfig, type Env } from '../../src/config/index.js';
import { writeTinyBundle, type TinyBundle, type TinyBundleOptions } from './tiny-bundle.js';

const bundles = new Map<string, Promise<TinyBundle>>();
const tempDirs: string[] = [];

export function tempDir(prefix = 'planet-svc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every temp folder made by this test file (call in afterAll). */
export function cleanTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  bundles.clear();
}

/** A tiny bundle, written once per distinct options. */
export function tinyBundle(options: TinyBundleOptions = {}): Promise<TinyBundle> {
  const key = JSON.stringify(options);
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    bundle = writeTinyBundle(join(tempDir(), 'bundle'), options);
    bundles.set(key, bundle);
  }
  return bundle;
}

export interface TestAppOptions {
  env?: Env;
  /** Load the model before returning (default true). */
  load?: boolean;
  modelDir?: string;
}

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
let preloaded: Promise<void> | undefined;

/**
 * Jest's ESM loader can fail ("request for './x.js' is not in cache") when @fastify/autoload imports
 * many modules at once. Importing every autoloaded module first, one at a time, fills Jest's module
 * registry so autoload's imports are plain cache hits.
 */
export function preloadAutoloaded(): Promise<void> {
  preloaded ??= (async () => {
    const files = ['plugins', 'routes'].flatMap((dir) => readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(SRC, dir, f)));
    for (const file of files.sort()) await import(file);
  })();
  return preloaded;
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<FastifyInstance> {
  await preloadAutoloaded();
  const modelDir = options.modelDir ?? (await tinyBundle()).dir;
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', MODEL_DIR: modelDir, ...options.env });
  const app = await buildServer(config, { autoLoadModel: false });
  await app.ready();
  if (options.load !== false) await app.model.load();
  return app;
}
