import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../../src/config/index.js';
import type { MetricsRecord, Tracker } from '../../src/records/index.js';

export const PACKAGE_ROOT = resolve(import.meta.dirname, '..', '..');

/** The smoke experiment with every output (runs, published bundle, cache) inside a fresh temp folder. */
export async function smokeConfig(overrides: readonly string[] = []): Promise<{ loaded: LoadedConfig; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'planet-smoke-'));
  const loaded = await loadConfig({
    configDir: join(PACKAGE_ROOT, 'configs'),
    exp: 'smoke',
    overrides: [`runs.dir=${join(dir, 'runs')}`, `export.publishDir=${join(dir, 'models')}`, `data.cacheDir=${join(dir, 'cache')}`, ...overrides],
  });
  return { loaded, dir };
}

export const quiet = (): void => undefined;

/** A tracker that asks the run to stop once `epochs` epochs are recorded, like Ctrl-C would. */
export function stopAfter(epochs: number, controller: AbortController): Tracker {
  return {
    onRunStart: () => Promise.resolve(),
    onScalars: (_step: number, record: MetricsRecord) => {
      if (record.kind === 'epoch' && record.epoch >= epochs) controller.abort();
      return Promise.resolve();
    },
    onArtifact: () => Promise.resolve(),
    onRunEnd: () => Promise.resolve(),
  };
}
