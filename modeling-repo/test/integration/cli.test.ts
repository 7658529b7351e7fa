import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeSynthetic, writeKaggleLayout } from '../../src/data/index.js';
import { trainRun } from '../../src/pipeline/train-run.js';
import { PACKAGE_ROOT, quiet, smokeConfig } from './helpers.js';

const run = promisify(execFile);
const TSX = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx');

/** Runs a command the way `npm run NAME -- args` does; resolves with its exit code and output. */
async function command(script: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [join(PACKAGE_ROOT, 'src', 'cli', `${script}.ts`), ...args], { cwd: PACKAGE_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('commands', () => {
  it('train refuses an unknown configuration key, naming it and where it came from', async () => {
    const result = await command('train', ['exp=smoke', 'train.epochz=3']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/train\.epochz/);
    expect(result.stderr).toMatch(/command line/);
  });

  it('train refuses a value of the wrong type', async () => {
    const result = await command('train', ['exp=smoke', 'train.batchSize=big']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/train\.batchSize/);
  });

  it('evaluate scores a bundle on a Kaggle-layout folder and ends with the F2 line; predict tags files', async () => {
    const { loaded, dir } = await smokeConfig();
    const trained = await trainRun({ config: loaded.config, log: quiet });
    const data = join(dir, 'kaggle');
    const layout = await writeKaggleLayout(makeSynthetic({ count: 48, size: 64, seed: 7 }), data);

    const evaluation = await command('evaluate', [`model=${trained.bundleDir}`, `data=${data}`, `cacheDir=${join(dir, 'eval-cache')}`]);
    expect(evaluation.code).toBe(0);
    const last = evaluation.stdout.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^F2 [01]\.\d{4}$/);
    expect(Number(last.slice(3))).toBeGreaterThan(0.5);

    const image = join(layout.sources[0] ?? data, 'train_0.jpg');
    const prediction = await command('predict', [`model=${trained.bundleDir}`, image, 'json=true']);
    expect(prediction.code).toBe(0);
    const parsed = JSON.parse(prediction.stdout) as { predictions: { name: string; probabilities: Record<string, number> }[] };
    expect(parsed.predictions[0]?.name).toBe('train_0.jpg');
    expect(Object.keys(parsed.predictions[0]?.probabilities ?? {})).toHaveLength(17);
  });

  it('evaluate names the bad row of a broken labels CSV', async () => {
    const { loaded, dir } = await smokeConfig();
    const trained = await trainRun({ config: loaded.config, log: quiet });
    const data = join(dir, 'broken');
    await writeKaggleLayout(makeSynthetic({ count: 4, size: 32, seed: 1 }), data);
    await writeFile(join(data, 'train_v2.csv'), 'image_name,tags\ntrain_0,primary clear\ntrain_1,primary not_a_tag\n');
    const result = await command('evaluate', [`model=${trained.bundleDir}`, `data=${data}`, `cacheDir=${join(dir, 'c')}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/train_v2\.csv:3/);
    expect(result.stderr).toMatch(/not_a_tag/);
  });
});

describe('command usage', () => {
  it.each(['train', 'evaluate', 'predict'])('%s -- --help prints the usage and exits 0', async (script) => {
    for (const flag of ['--help', '-h']) {
      const result = await command(script, ['--', flag]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^usage: npm run ${script} -- `));
    }
  });

  it('train refuses a plain word instead of starting the default run', async () => {
    const result = await command('train', ['smoke']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unexpected argument 'smoke'\nusage: npm run train -- exp=NAME/);
  });
});
