/**
 * Service replicas as containers of the built image, driven through the docker CLI (any engine
 * with its API: Docker, or podman's). Each replica publishes its port on 127.0.0.1 at a fixed host
 * port, so that a replacement (as a rolling update makes) takes its place behind the load balancer.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SERVICE_PORT = 8080;
const READY_POLL_MS = 100;
const STOP_GRACE_S = 30;

export interface Replica {
  readonly name: string;
  readonly port: number;
}

/** Why the replica test cannot run here, or undefined when it can. */
export async function whyNot(image: string): Promise<string | undefined> {
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 60_000 });
  } catch (error) {
    return `no container engine answers the docker CLI (${firstLine(error)}); run ../shared/tools/container-engine/setup.sh and set DOCKER_HOST`;
  }
  try {
    await run('docker', ['image', 'inspect', image], { timeout: 15_000 });
  } catch {
    return `image ${image} not found; build it first: docker build -t ${image} . (REPLICA_IMAGE names another)`;
  }
  try {
    await run('haproxy', ['-v'], { timeout: 5_000 });
  } catch (error) {
    return `haproxy not runnable (${firstLine(error)}); apt-get install haproxy`;
  }
  return undefined;
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** A free TCP port on 127.0.0.1 (the kernel picks it; it is released before use). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

/** Starts a replica as it is deployed: read-only root, /tmp in memory, an init, no capabilities. */
export async function startReplica(image: string, replica: Replica, env: Record<string, string>): Promise<void> {
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  await run('docker', [
    'run', '-d', '--name', replica.name, '--init', '--read-only', '--tmpfs', '/tmp:size=64m', '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges', '-p', `127.0.0.1:${replica.port}:${SERVICE_PORT}`, ...envArgs, image,
  ], { timeout: 60_000 });
}

/** Milliseconds until GET /health/ready answers 200 (fails after timeoutMs). */
export async function waitReady(replica: Replica, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const ok = await fetch(`http://127.0.0.1:${replica.port}/health/ready`, { signal: AbortSignal.timeout(1000) })
      .then((response) => response.ok, () => false);
    if (ok) return performance.now() - started;
    await sleep(READY_POLL_MS);
  }
  const { stdout } = await run('docker', ['logs', '--tail', '20', replica.name]).catch(() => ({ stdout: '' }));
  throw new Error(`${replica.name} not ready after ${timeoutMs} ms; last logs:\n${stdout}`);
}

/** SIGTERM, then wait for the process to finish its drain and exit, as the kubelet does. */
export async function stopGracefully(replica: Replica): Promise<void> {
  await run('docker', ['stop', '-t', String(STOP_GRACE_S), replica.name], { timeout: (STOP_GRACE_S + 10) * 1000 });
  await remove(replica);
}

/** SIGKILL: the replica dies with whatever it had in flight. */
export async function kill(replica: Replica): Promise<void> {
  await run('docker', ['kill', '--signal', 'KILL', replica.name], { timeout: 30_000 });
}

export async function remove(replica: Replica): Promise<void> {
  await run('docker', ['rm', '-f', replica.name], { timeout: 30_000 }).catch(() => undefined);
}

/** The container's memory use as the engine reports it (e.g. "152.3MB / 1.073GB"), or "n/a". */
export async function memoryUsage(replica: Replica): Promise<string> {
  const { stdout } = await run('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', replica.name], { timeout: 30_000 })
    .catch(() => ({ stdout: 'n/a' }));
  return stdout.trim();
}
