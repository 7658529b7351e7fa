/**
 * The real entry point (src/server.ts) as a child process on loopback: readiness after loading,
 * graceful shutdown on SIGTERM (the in-flight request still gets its answer), and exit codes for a
 * bad configuration (2) and a refused bundle (1).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanTempDirs, tinyBundle } from '../helpers/app.js';

afterAll(cleanTempDirs);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Started { child: ChildProcess; lines: string[]; exited: Promise<number | null> }

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT, env: { ...process.env, FASTIFY_AUTOLOAD_TYPESCRIPT: '1', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => { lines.push(...chunk.toString().split('\n').filter((l) => l !== '')); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code); }); });
  return { child, lines, exited };
}

async function waitFor(lines: string[], pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no log line matching ${pattern} in:\n${lines.join('\n')}`);
}

describe('src/server.ts', () => {
  it('serves, then shuts down gracefully on SIGTERM, finishing the request in flight', async () => {
    const bundle = await tinyBundle();
    // A long batching delay keeps the request queued while SIGTERM arrives.
    const server = start({ MODEL_DIR: bundle.dir, MAX_QUEUE_DELAY_US: '1500000' });
    const [, url] = await waitFor(server.lines, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
    await waitFor(server.lines, /"msg":"model ready"/);
    expect((await fetch(`${url!}/health/ready`)).status).toBe(200);
    const form = new FormData();
    form.append('images', new Blob([bundle.images[0]!.bytes]), bundle.images[0]!.name);
    const inFlight = fetch(`${url!}/v1/predict`, { method: 'POST', body: form });
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { predictions: unknown[] }).predictions).toHaveLength(1);
    expect(await server.exited).toBe(0);
    await waitFor(server.lines, /"signal":"SIGTERM".*"msg":"shutting down"/);
  });

  it('shuts down at once when a client left while its request was queued', async () => {
    const bundle = await tinyBundle();
    // A request left in the in-flight set would hold shutdown until SHUTDOWN_TIMEOUT_MS forces exit 1.
    const server = start({ MODEL_DIR: bundle.dir, MAX_QUEUE_DELAY_US: '1000000', SHUTDOWN_TIMEOUT_MS: '5000' });
    const [, url] = await waitFor(server.lines, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
    await waitFor(server.lines, /"msg":"model ready"/);
    const form = new FormData();
    form.append('images', new Blob([bundle.images[0]!.bytes]), bundle.images[0]!.name);
    const gone = new AbortController();
    const request = fetch(`${url!}/v1/predict`, { method: 'POST', body: form, signal: gone.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    gone.abort();
    await request;
    await new Promise((r) => setTimeout(r, 1500));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('exits 2 with the problems on a bad configuration', async () => {
    const server = start({ PORT: 'eighty', MAX_BATCH: '0' });
    expect(await server.exited).toBe(2);
    expect(server.lines.join('\n')).toMatch(/invalid configuration:\n\s+PORT: expected an integer.*\n\s+MAX_BATCH: expected an integer/);
  });

  it('exits 1 when the bundle is refused, saying why', async () => {
    const server = start({ MODEL_DIR: '/nonexistent/bundle' });
    expect(await server.exited).toBe(1);
    expect(server.lines.join('\n')).toMatch(/model bundle \/nonexistent\/bundle is refused:.*model\.onnx is missing.*model\.json is missing.*golden\.json is missing/s);
  });
});
