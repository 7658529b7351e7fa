/**
 * Three replicas of the built image behind HAProxy (health-checked like a Kubernetes Service with
 * readiness), under constant load from a bounded client, through the events of a deployment's
 * life: one replica alone (the throughput baseline), three, a rolling restart (SIGTERM each in
 * turn, wait until its replacement is ready, next), and one replica SIGKILLed. Prints requests
 * sent, answered, failed and latency p50/p99 per phase.
 *
 * Needs a container engine (DOCKER_HOST), the image (REPLICA_IMAGE, default planet-svc:latest; build
 * it with `docker build -t planet-svc .`) and haproxy; skips saying which is missing. About 2 minutes.
 * Environment: REPLICA_IMAGE, REPLICA_CONCURRENCY (8), REPLICA_PHASE_S (10).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipNotice } from '../../helpers/skip-notice.js';
import { RETRIES, startHaproxy, type RetryCounters, type RunningHaproxy } from './haproxy.js';
import { LoadClient, inferBody, type PhaseStats } from './load.js';
import { type Replica, freePort, kill, memoryUsage, remove, startReplica, stopGracefully, waitReady, whyNot } from './replicas.js';

const IMAGE = process.env.REPLICA_IMAGE ?? 'planet-svc:latest';
const CONCURRENCY = Number(process.env.REPLICA_CONCURRENCY ?? 8);
const PHASE_MS = Number(process.env.REPLICA_PHASE_S ?? 10) * 1000;
const READY_TIMEOUT_MS = 120_000;
// On a 2-core machine three replicas share the cores one had: each gets one inference thread.
const REPLICA_ENV = { LOG_LEVEL: 'warn', ORT_THREADS: '1' };

const reason = await whyNot(IMAGE);
if (reason !== undefined) skipNotice('replica test (test/integration/replicas)', reason);
const maybe = reason === undefined ? describe : describe.skip;

const table = (rows: PhaseStats[], retried: Map<string, RetryCounters>): string => [
  'phase            seconds   sent  answered  failed  answered/s  p50 ms  p99 ms  LB retries (redispatched)  by replica',
  ...rows.map((r) => [
    r.phase.padEnd(15), r.seconds.toFixed(1).padStart(8), String(r.sent).padStart(6), String(r.answered).padStart(9),
    String(r.failed).padStart(7), r.perSecond.toFixed(1).padStart(11), r.p50Ms.toFixed(1).padStart(7), r.p99Ms.toFixed(1).padStart(7),
    `${retried.get(r.phase)?.retries ?? 0} (${retried.get(r.phase)?.redispatches ?? 0})`.padStart(26),
    `  ${JSON.stringify(r.byReplica)}${r.failed > 0 ? ` failures ${JSON.stringify(r.failures)}` : ''}`,
  ].join(' ')),
].join('\n');

maybe(`${IMAGE}: 3 replicas behind HAProxy under constant load`, () => {
  const replicas: Replica[] = [];
  const notes: string[] = [];
  let haproxy: RunningHaproxy | undefined;
  let client: LoadClient;
  let oneUrl = '';
  let threeUrl = '';
  const results = new Map<string, PhaseStats>();
  const retried = new Map<string, RetryCounters>();
  let counters: RetryCounters = { retries: 0, redispatches: 0 };

  /** Enters a phase and charges the load balancer's retries since the last call to the phase that ended. */
  const enter = async (phase: string, url: string, ended?: string): Promise<void> => {
    const now = { ...(await haproxy!.retries('one')) };
    const three = await haproxy!.retries('three');
    const total = { retries: now.retries + three.retries, redispatches: now.redispatches + three.redispatches };
    if (ended !== undefined) retried.set(ended, { retries: total.retries - counters.retries, redispatches: total.redispatches - counters.redispatches });
    counters = total;
    client.enter(phase, url);
  };

  const startOne = async (replica: Replica): Promise<number> => {
    await startReplica(IMAGE, replica, REPLICA_ENV);
    return waitReady(replica, READY_TIMEOUT_MS);
  };

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) replicas.push({ name: `planet-replica-${i}-${process.pid}`, port: await freePort() });
    const startup = [];
    for (const replica of replicas) startup.push(await startOne(replica));
    notes.push(`start-up to ready: ${startup.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
    notes.push(`memory after start: ${(await Promise.all(replicas.map(memoryUsage))).join(', ')}`);
    const [onePort, threePort] = [await freePort(), await freePort()];
    haproxy = await startHaproxy([{ name: 'one', port: onePort, replicas: replicas.slice(0, 1) }, { name: 'three', port: threePort, replicas }]);
    oneUrl = `http://127.0.0.1:${onePort}/v2/models/planet/infer`;
    threeUrl = `http://127.0.0.1:${threePort}/v2/models/planet/infer`;
    const metadata = await (await fetch(`http://127.0.0.1:${replicas[0]!.port}/v2/models/planet`)).json() as { inputs: { shape: number[] }[] };
    client = new LoadClient(inferBody(metadata.inputs[0]!.shape[1]!), CONCURRENCY);
    // Warm every replica up, then measure.
    client.enter('warm-up', threeUrl);
    await sleep(2000);
  }, 6 * READY_TIMEOUT_MS);

  afterAll(async () => {
    await client.stop();
    for (const phase of ['one replica', 'three replicas', 'rolling restart', 'SIGKILL one']) {
      const stats = results.get(phase) ?? client.stats(phase);
      results.set(phase, stats);
    }
    process.stderr.write(`\nreplica test: ${IMAGE}, ${CONCURRENCY} concurrent clients, HAProxy retries ${RETRIES}\n${notes.join('\n')}\n${table([...results.values()], retried)}\n\n`);
    await haproxy?.stop();
    await Promise.all(replicas.map(remove));
  }, READY_TIMEOUT_MS);

  it('one replica, then three: every request answered, the load spread over the three', async () => {
    await enter('one replica', oneUrl);
    await sleep(PHASE_MS);
    await enter('three replicas', threeUrl, 'one replica');
    await sleep(PHASE_MS);
    await enter('between', threeUrl, 'three replicas');
    const one = client.stats('one replica');
    const three = client.stats('three replicas');
    results.set('one replica', one).set('three replicas', three);
    expect(one.answered).toBeGreaterThan(0);
    expect(one.failed).toBe(0);
    expect(three.failed).toBe(0);
    expect(Object.keys(three.byReplica).sort()).toEqual(replicas.map((r) => r.name).sort());
    // Least-connections on equal replicas: none idles while the others work.
    for (const count of Object.values(three.byReplica)) expect(count).toBeGreaterThan(three.answered * 0.15);
  }, 3 * PHASE_MS + READY_TIMEOUT_MS);

  it('a rolling restart (SIGTERM, wait for the replacement to be ready, next) fails no request', async () => {
    await enter('rolling restart', threeUrl);
    for (const replica of replicas) {
      await stopGracefully(replica);
      await startOne(replica);
    }
    await sleep(PHASE_MS / 4);
    await enter('between', threeUrl, 'rolling restart');
    const rolling = client.stats('rolling restart');
    results.set('rolling restart', rolling);
    expect(rolling.answered).toBeGreaterThan(0);
    expect(rolling.failed).toBe(0);
    expect(Object.keys(rolling.byReplica).sort()).toEqual(replicas.map((r) => r.name).sort());
  }, 4 * READY_TIMEOUT_MS);

  it('a replica SIGKILLed: failures bounded by what was in flight and the retries did not save', async () => {
    await enter('SIGKILL one', threeUrl);
    await sleep(PHASE_MS / 4);
    await kill(replicas[1]!);
    await sleep(PHASE_MS);
    await enter('after', threeUrl, 'SIGKILL one');
    const killed = client.stats('SIGKILL one');
    results.set('SIGKILL one', killed);
    expect(killed.answered).toBeGreaterThan(0);
    // At most the requests in flight on the killed replica, one per client.
    expect(killed.failed).toBeLessThanOrEqual(CONCURRENCY);
  }, 3 * PHASE_MS);
});
