/** Every command of the package prints its usage for --help (exit 0) and for a bad command line (exit 2). */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

async function command(script: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [join(ROOT, script), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// npm start, npm run dev and npm run start:dist all run src/server.ts.
const SCRIPTS = [
  ['start, dev, start:dist', 'src/server.ts', /^usage: npm start/],
  ['bench', 'bench/run.ts', /^usage: .*npm run bench/],
  ['openapi', 'scripts/openapi.ts', /^usage: npm run openapi/],
  ['tiny-bundle', 'scripts/tiny-bundle.ts', /^usage: npm run tiny-bundle/],
  ['model:pull', 'scripts/model-pull.ts', /^usage: npm run model:pull/],
] as const;

describe('command usage', () => {
  it.each(SCRIPTS)('%s -- --help prints usage and exits 0, doing nothing else', async (_name, script, usage) => {
    const result = await command(script, ['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(usage);
  });

  it('refuses arguments a command does not take with its usage and exit 2', async () => {
    const server = await command('src/server.ts', ['--port', '3000']);
    expect(server.code).toBe(2);
    expect(server.stderr).toMatch(/unexpected argument '--port'[\s\S]*usage: npm start/);
    const tiny = await command('scripts/tiny-bundle.ts', ['models/x', 'big']);
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toMatch(/SIZE must be an even number[\s\S]*usage: npm run tiny-bundle/);
  });
});
