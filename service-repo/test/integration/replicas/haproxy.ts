/**
 * HAProxy in front of the replicas, configured the way a Kubernetes Service with readiness routes:
 * only servers whose /health/ready answers 200 take requests (checked every 500 ms, one failure
 * takes a server out, one success brings it back). On top, what a mesh or ingress adds and a
 * bare Service does not: a request that could not reach its server, got no answer, or got a 503
 * (a draining replica) is sent again to another server, up to RETRIES times.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Replica } from './replicas.js';

export const RETRIES = 3;
const CHECK_INTERVAL_MS = 500;
const START_TIMEOUT_MS = 10_000;

export interface Frontend {
  readonly name: string;
  readonly port: number;
  readonly replicas: readonly Replica[];
}

/** The configuration: one frontend and backend per entry. */
function haproxyConfig(frontends: readonly Frontend[], statsSocket: string): string {
  const sections = frontends.map((f) => [
    `frontend ${f.name}`,
    `  bind 127.0.0.1:${f.port}`,
    `  default_backend ${f.name}-replicas`,
    `backend ${f.name}-replicas`,
    '  balance leastconn',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    // Which replica answered, so the client can see the load spread.
    '  http-response set-header x-replica %[srv_name]',
    ...f.replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check inter ${CHECK_INTERVAL_MS} fall 1 rise 1`),
  ].join('\n'));
  return [
    'global',
    '  maxconn 512',
    `  stats socket ${statsSocket} mode 600 level operator`,
    // Requests must fit the buffer to be retried (an OIP request of one 32x32 chip is about 12 kB).
    '  tune.bufsize 65536',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout check 1s',
    `  retries ${RETRIES}`,
    '  option redispatch 1',
    '  retry-on conn-failure empty-response response-timeout 503',
    ...sections,
  ].join('\n') + '\n';
}

/** Requests a backend sent again (to the same server or, redispatched, to another). */
export interface RetryCounters {
  readonly retries: number;
  readonly redispatches: number;
}

export interface RunningHaproxy {
  /** The backend's retry counters (HAProxy's wretr and wredis), from its stats socket. */
  retries(frontend: string): Promise<RetryCounters>;
  stop(): Promise<void>;
}

async function showStat(socket: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const connection = createConnection(socket, () => connection.end('show stat\n'));
    connection.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    connection.on('end', () => { resolve(text); });
    connection.on('error', reject);
  });
}

/** The BACKEND row of `show stat`'s CSV for that backend, as named columns. */
function backendRow(csv: string, backend: string): Record<string, string> {
  const [header = '', ...rows] = csv.trim().split('\n');
  const names = header.replace(/^# /, '').split(',');
  const row = rows.map((line) => line.split(',')).find((cells) => cells[0] === backend && cells[1] === 'BACKEND');
  if (row === undefined) throw new Error(`no BACKEND row for ${backend} in haproxy stats`);
  return Object.fromEntries(names.map((name, i) => [name, row[i] ?? '']));
}

async function waitListening(port: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < START_TIMEOUT_MS) {
    const up = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
    if (up) return;
    await sleep(CHECK_INTERVAL_MS);
  }
  throw new Error(`haproxy did not listen on ${port} within ${START_TIMEOUT_MS} ms`);
}

/** Starts haproxy in the foreground (-db) with that configuration; stop() ends it. */
export async function startHaproxy(frontends: readonly Frontend[]): Promise<RunningHaproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'planet-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  const socket = join(dir, 'stats.sock');
  await writeFile(file, haproxyConfig(frontends, socket));
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  try {
    for (const f of frontends) await waitListening(f.port);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}; haproxy said: ${stderr}`);
  }
  return {
    async retries(frontend) {
      const row = backendRow(await showStat(socket), `${frontend}-replicas`);
      return { retries: Number(row.wretr), redispatches: Number(row.wredis) };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
