/**
 * `.dvcignore` uses gitignore's pattern rules (DVC reads it with pathspec's gitwildmatch, as the
 * `ignore` package does here). DVC refuses a stage whose deps or outs are ignored ("Path ... is
 * ignored by .dvcignore"), so no path of dvc.yaml may match, while the root's scratch folders must.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// A CommonJS module whose typings declare an ES default export: required, it is the function itself.
const ignore = createRequire(import.meta.url)('ignore') as typeof import('ignore').default;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dvcignore = ignore().add(readFileSync(join(ROOT, '.dvcignore'), 'utf8'));

interface Stage { deps?: string[]; outs?: (string | Record<string, unknown>)[]; metrics?: (string | Record<string, unknown>)[]; plots?: (string | Record<string, unknown>)[] }
// dvc.yaml's `vars` (configs/dvc-data.yaml) put in, as DVC does before it checks the paths.
const vars = parse(readFileSync(join(ROOT, 'configs', 'dvc-data.yaml'), 'utf8')) as Record<string, string>;
const resolved = readFileSync(join(ROOT, 'dvc.yaml'), 'utf8').replace(/\$\{(\w+)\}/g, (_, key: string) => vars[key] ?? `\${${key}}`);
const stages = (parse(resolved) as { stages: Record<string, Stage> }).stages;
const name = (entry: string | Record<string, unknown>): string => (typeof entry === 'string' ? entry : Object.keys(entry)[0] ?? '');

/** Every path a stage reads or writes that lies inside the project (deps outside it are not subject to .dvcignore). */
const stagePaths = Object.values(stages).flatMap((stage) => [...(stage.deps ?? []), ...[...(stage.outs ?? []), ...(stage.metrics ?? []), ...(stage.plots ?? [])].map(name)])
  .filter((path) => !path.startsWith('../'));

describe('.dvcignore', () => {
  it('ignores no dep or out of dvc.yaml, nor anything inside them', () => {
    expect(stagePaths).toEqual(expect.arrayContaining(['pipeline/runs', 'pipeline/baseline/bundle', 'src', 'data/planet/train-jpg']));
    for (const path of stagePaths) {
      expect([path, dvcignore.ignores(path), dvcignore.ignores(`${path}/`), dvcignore.ignores(`${path}/run-1/run.json`)]).toEqual([path, false, false, false]);
    }
  });

  it('ignores the root scratch folders, and node_modules anywhere', () => {
    for (const path of ['runs/', 'runs/baseline-1/run.json', 'dist/', '.cache/chips/x.bin', 'coverage/', 'node_modules/', 'bench/pytorch/node_modules/x.js']) {
      expect([path, dvcignore.ignores(path)]).toEqual([path, true]);
    }
  });

  it('an unanchored runs/ would have matched pipeline/runs (what anchoring fixes)', () => {
    expect(ignore().add('runs/').ignores('pipeline/runs/')).toBe(true);
    expect(dvcignore.ignores('pipeline/runs/')).toBe(false);
  });
});
