/** Each command prints its usage for --help and exits 0 without loading or training anything. */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

async function command(script: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [join(PACKAGE_ROOT, 'src', 'cli', `${script}.ts`), ...args], { cwd: PACKAGE_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

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
