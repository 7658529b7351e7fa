import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig, type Config } from '../config/index.js';
import type { MetricsRecord } from '../records/index.js';
import { ClearMLTracker, hyperparams, metricOf, type ClearMLTrackerOptions } from './clearml.js';
import { clearmlSettings, type ClearMLSettings } from './clearml-config.js';
import { startClearMLTestServer, type ClearMLTestServer } from '../../test/servers/clearml/clearml-test-server.js';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let config: Config | undefined;
async function smokeConfig(): Promise<Config> {
  config ??= (await loadConfig({ configDir: join(PACKAGE_ROOT, 'configs'), exp: 'smoke', overrides: ['data.sources=[a.tar]'], env: {} })).config;
  return config;
}

function epoch(step: number): MetricsRecord {
  return { kind: 'epoch', epoch: step, step: step * 10, trainLoss: 1 / step, valF2: 0.5 + step / 10, lr: 0.01, imagesPerSecond: 100, seconds: Number.NaN };
}
const LABELS = ['agriculture', 'clear'];

let servers: ClearMLTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function server(delayMs?: number): Promise<ClearMLTestServer> {
  const started = await startClearMLTestServer(delayMs === undefined ? {} : { delayMs });
  servers.push(started);
  return started;
}

function settingsOf(env: Record<string, string>): ClearMLSettings {
  const settings = clearmlSettings({ ...env, HOME: '/nonexistent' });
  if (settings === undefined) throw new Error('settings expected');
  return settings;
}

async function bundleDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
  await writeFile(join(dir, 'model.onnx'), Buffer.from([8, 1, 2, 3]));
  await writeFile(join(dir, 'model.json'), JSON.stringify({ name: 'planet-mobilenetv2', labels: LABELS }));
  return dir;
}

interface Captured {
  readonly logs: string[];
  readonly warnings: string[];
  readonly options: ClearMLTrackerOptions;
}

function capture(extra: Partial<ClearMLTrackerOptions> = {}): Captured {
  const logs: string[] = [];
  const warnings: string[] = [];
  const options = { project: 'planet', log: (l: string) => logs.push(l), warn: (l: string) => warnings.push(l), ...extra };
  return { logs, warnings, options };
}

/** Plays a short training run through the tracker and returns the longest any hook took (ms). */
async function playRun(tracker: ClearMLTracker, status: 'completed' | 'failed', bundle?: string): Promise<number> {
  let slowest = 0;
  const timed = (hook: () => void): void => {
    const start = performance.now();
    hook();
    slowest = Math.max(slowest, performance.now() - start);
  };
  const resolved = await smokeConfig();
  timed(() => { void tracker.onRunStart(resolved, '/runs/smoke-1'); });
  for (let step = 1; step <= 3; step += 1) {
    timed(() => { void tracker.onScalars(step * 10, epoch(step)); });
  }
  if (bundle !== undefined) timed(() => { void tracker.onArtifact(bundle, 'bundle'); });
  timed(() => { void tracker.onArtifact('/runs/smoke-1/report.html', 'report'); });
  await tracker.onRunEnd(status, status === 'failed' ? new Error('loss is NaN') : undefined);
  return slowest;
}

describe('ClearML tracker against the local test server', () => {
  it('makes the full sequence of calls, in order, each valid against the schema', async () => {
    const api = await server();
    const { logs, warnings, options } = capture();
    const tracker = new ClearMLTracker(settingsOf(api.env()), options);
    await playRun(tracker, 'completed', await bundleDir());
    expect(warnings).toEqual([]);
    expect(api.calls.map((call) => call.endpoint)).toEqual([
      'auth.login', 'projects.get_all_ex', 'projects.create', 'tasks.create', 'tasks.edit_hyper_params',
      'tasks.edit_configuration', 'tasks.started', 'events.add_batch', 'events.add_batch', 'events.add_batch',
      'models.create', 'models.update_for_task', 'tasks.completed',
    ]);
    expect(api.calls.every((call) => call.status === 200)).toBe(true);
    const [task] = [...api.state.tasks.values()];
    expect(task?.status).toBe('completed');
    expect(task?.scalars).toBe(12); // 4 finite scalars per epoch (NaN seconds stay local)
    expect(task?.hyperparams).toContainEqual({ section: 'General', name: 'train.lr', value: '0.01', type: 'float' });
    expect(task?.hyperparams).toContainEqual({ section: 'General', name: 'train.epochs', value: '3', type: 'int' });
    expect(task?.hyperparams).toContainEqual({ section: 'General', name: 'experiment', value: 'smoke', type: 'str' });
    expect(task?.outputModel).toBeDefined();
    const model = api.state.models.get(task!.outputModel!);
    expect(model?.labels).toEqual({ agriculture: 0, clear: 1 });
    expect(api.state.files.get(`planet/smoke-1.${task!.id}/models/model.onnx`)).toEqual(Buffer.from([8, 1, 2, 3]));
    const projectId = api.state.projects.get('planet');
    expect(tracker.link).toBe(`${api.webUrl}/projects/${projectId}/experiments/${task!.id}/output/log`);
    expect(logs.some((line) => line.includes(`experiment ${tracker.link!}`))).toBe(true);
    const batch = api.calls.find((call) => call.endpoint === 'events.add_batch')?.body as Record<string, unknown>[];
    expect(batch[0]).toMatchObject({ task: task!.id, type: 'training_stats_scalar', metric: 'loss', variant: 'train', value: 1, iter: 10 });
    expect(batch.map((event) => `${String(event.metric)}/${String(event.variant)}`)).toContain('train/images_per_second');
  });

  it('reuses the project, and marks a failed run failed', async () => {
    const api = await server();
    const settings = settingsOf(api.env());
    await playRun(new ClearMLTracker(settings, capture().options), 'completed');
    const { warnings, options } = capture();
    await playRun(new ClearMLTracker(settings, options), 'failed');
    expect(warnings).toEqual([]);
    expect(api.calls.filter((call) => call.endpoint === 'projects.create')).toHaveLength(1);
    expect(api.calls.at(-1)).toMatchObject({ endpoint: 'tasks.failed', status: 200, body: { status_message: 'loss is NaN' } });
    expect([...api.state.tasks.values()].map((task) => task.status)).toEqual(['completed', 'failed']);
  });

  it('sends each record\'s scalars while the run goes on, under the configured task name', async () => {
    const api = await server();
    const tracker = new ClearMLTracker(settingsOf(api.env()), capture({ taskName: 'named' }).options);
    void tracker.onRunStart(await smokeConfig(), '/runs/x');
    void tracker.onScalars(10, epoch(1));
    for (let i = 0; i < 50 && api.calls.length < 8; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.calls.at(-1)?.endpoint).toBe('events.add_batch');
    await tracker.onRunEnd('completed');
    expect([...api.state.tasks.values()][0]?.name).toBe('named');
  });
});

describe('a tracker that is down or slow never holds training up', () => {
  it('down: hooks return at once, the end gives up with a clear warning', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => { resolve(); }));
    const env = { CLEARML_API_HOST: `http://127.0.0.1:${port}`, CLEARML_API_ACCESS_KEY: 'k', CLEARML_API_SECRET_KEY: 's' };
    const { warnings, options } = capture({ retryAttempts: 3, retryBaseMs: 20, endTimeoutMs: 3000 });
    const started = performance.now();
    const slowest = await playRun(new ClearMLTracker(settingsOf(env), options), 'completed', await bundleDir());
    expect(slowest).toBeLessThan(50);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(warnings).toEqual([
      `ClearML: http://127.0.0.1:${port} was never reachable (auth.login: http://127.0.0.1:${port}/auth.login: ECONNREFUSED); nothing was recorded there. The run's local records in /runs/smoke-1 are complete.`,
    ]);
  });

  it('down with long backoff: the end does not wait for a server that never answered', async () => {
    const env = { CLEARML_API_HOST: 'http://127.0.0.1:9', CLEARML_API_ACCESS_KEY: 'k', CLEARML_API_SECRET_KEY: 's' };
    const { warnings, options } = capture({ retryBaseMs: 5000, endTimeoutMs: 20000 });
    const started = performance.now();
    await playRun(new ClearMLTracker(settingsOf(env), options), 'completed');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(warnings.at(-1)).toMatch(/^ClearML: http:\/\/127\.0\.0\.1:9 was never reachable \(.*\); nothing was recorded there\. The run's local records/);
  });

  it('down: the process lives on after onRunEnd (no silent exit while retries wait)', async () => {
    const script = join(await mkdtemp(join(tmpdir(), 'clearml-exit-')), 'run.mts');
    const module = join(PACKAGE_ROOT, 'src', 'tracking', 'clearml.ts');
    await writeFile(script, [
      `import { ClearMLTracker } from ${JSON.stringify(module)};`,
      "const settings = { apiHost: 'http://127.0.0.1:9', webHost: 'http://127.0.0.1:9', filesHost: 'http://127.0.0.1:9', accessKey: 'k', secretKey: 's', source: 'test' };",
      "const tracker = new ClearMLTracker(settings, { project: 'p', log: () => {}, warn: () => {}, retryBaseMs: 300 });",
      "await tracker.onRunStart({} as never, '/tmp/run');",
      'await new Promise((resolve) => setTimeout(resolve, 100));',
      "await tracker.onRunEnd('completed');",
      "console.log('after the end');",
    ].join('\n'));
    const { stdout } = await promisify(execFile)(join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx'), [script], { timeout: 20000 });
    expect(stdout).toContain('after the end');
  });

  it('slow: hooks return at once, and the end waits only up to its limit', async () => {
    const api = await server(400);
    const { warnings, options } = capture({ endTimeoutMs: 600, requestTimeoutMs: 5000 });
    const started = performance.now();
    const slowest = await playRun(new ClearMLTracker(settingsOf(api.env()), options), 'completed');
    const elapsed = performance.now() - started;
    expect(slowest).toBeLessThan(50);
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(1500);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^ClearML: gave up after 0\.6 s waiting for http:\/\/127\.0\.0\.1:\d+: \d+ call\(s\) not sent/);
  });

  it('a failure at start that later recovers does not cut the end short', async () => {
    const api = await server();
    const { port } = new URL(api.apiUrl);
    let requests = 0;
    const flaky = createServer((request, response) => {
      // The first request fails (503), later ones are passed on to the test server.
      requests += 1;
      if (requests === 1) {
        response.writeHead(503).end('{}');
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void fetch(`http://127.0.0.1:${port}${request.url ?? ''}`, { method: 'POST', headers: request.headers as Record<string, string>, body: Buffer.concat(chunks) })
          .then(async (answer) => { response.writeHead(answer.status, { 'content-type': 'application/json' }).end(Buffer.from(await answer.arrayBuffer())); });
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const env = { ...api.env(), CLEARML_API_HOST: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}` };
    const { warnings, options } = capture({ retryBaseMs: 20 });
    const tracker = new ClearMLTracker(settingsOf(env), options);
    void tracker.onRunStart(await smokeConfig(), '/runs/flaky');
    for (let i = 0; i < 100 && api.calls.length < 7; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    await tracker.onRunEnd('completed');
    await new Promise<void>((resolve) => flaky.close(() => { resolve(); }));
    expect(warnings).toEqual([]);
    expect(requests).toBeGreaterThan(8);
    expect(api.calls.at(-1)).toMatchObject({ endpoint: 'tasks.completed', status: 200 });
  });

  it('slow but within the limit: everything arrives', async () => {
    const api = await server(30);
    const { warnings, options } = capture();
    await playRun(new ClearMLTracker(settingsOf(api.env()), options), 'completed');
    expect(warnings).toEqual([]);
    expect(api.calls.at(-1)).toMatchObject({ endpoint: 'tasks.completed', status: 200 });
  });

  it('wrong credentials: one clear warning, no retries', async () => {
    const api = await server();
    const { warnings, options } = capture({ retryBaseMs: 10 });
    await playRun(new ClearMLTracker(settingsOf({ ...api.env(), CLEARML_API_SECRET_KEY: 'wrong' }), options), 'completed');
    expect(api.calls).toHaveLength(1);
    expect(warnings[0]).toMatch(/^ClearML: auth\.login failed after 1 attempt: auth\.login: HTTP 401: Unauthorized/);
  });
});

describe('the test server validates requests like clearml-server', () => {
  it('refuses a request that breaks the schema, in ClearML\'s envelope', async () => {
    const api = await server();
    const basic = `Basic ${Buffer.from(`${api.accessKey}:${api.secretKey}`).toString('base64')}`;
    const post = async (endpoint: string, body: object): Promise<{ status: number; json: { meta: { result_code: number; result_msg: string } } }> => {
      const response = await fetch(`${api.apiUrl}/${endpoint}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, json: (await response.json()) as { meta: { result_code: number; result_msg: string } } };
    };
    const missingType = await post('tasks.create', { name: 'x' });
    expect(missingType.status).toBe(400);
    expect(missingType.json.meta).toMatchObject({ result_code: 400, result_msg: expect.stringMatching(/^Validation error \(.*type/) as unknown });
    expect((await post('tasks.create', { name: 'x', type: 'nonsense' })).status).toBe(400);
    expect((await post('tasks.create', { name: 'x', type: 'training', typo: 1 })).status).toBe(400);
    expect((await post('models.update_for_task', { task: 'x' })).json.meta.result_msg).toMatch(/Validation error/);
    expect((await post('tasks.started', { task: 'nope' })).json.meta.result_msg).toMatch(/Invalid task id/);
    expect((await post('tasks.nonexistent', {})).status).toBe(404);
  });
});

describe('ClearML settings', () => {
  it('reads the environment, or clearml.conf, and derives web and files hosts', async () => {
    expect(clearmlSettings({ HOME: '/nonexistent' })).toBeUndefined();
    const fromEnv = clearmlSettings({ CLEARML_API_HOST: 'https://api.clear.ml', CLEARML_API_ACCESS_KEY: 'a', CLEARML_API_SECRET_KEY: 'b' });
    expect(fromEnv).toMatchObject({ webHost: 'https://app.clear.ml', filesHost: 'https://files.clear.ml', source: 'environment (CLEARML_API_*)' });
    const dir = await mkdtemp(join(tmpdir(), 'clearml-conf-'));
    await mkdir(dir, { recursive: true });
    const conf = join(dir, 'clearml.conf');
    await writeFile(conf, [
      '# ClearML SDK configuration file',
      'api {',
      '    # Notice: \'host\' is the api server (default port 8008), not the web server.',
      '    api_server: http://clearml.local:8008',
      '    web_server: http://clearml.local:8080 // the UI',
      '    credentials {"access_key": "KEY123", "secret_key": "SECRET456"}',
      '}',
      'sdk {',
      '    storage.cache.default_base_dir: "~/.clearml/cache"',
      '    metrics { file_history_size: 100, images { format: JPEG, quality: 87 } }',
      '    aws.s3.credentials: [ { bucket: "b", key: "k" } ]',
      '}',
    ].join('\n'));
    expect(clearmlSettings({ CLEARML_CONFIG_FILE: conf })).toEqual({
      apiHost: 'http://clearml.local:8008', webHost: 'http://clearml.local:8080', filesHost: 'http://clearml.local:8081',
      accessKey: 'KEY123', secretKey: 'SECRET456', source: conf,
    });
  });

  it('flattens configs and names metrics as ClearML does', () => {
    expect(hyperparams({ a: { b: 1, c: 'x' }, d: false })).toEqual([
      { section: 'General', name: 'a.b', value: '1', type: 'int' },
      { section: 'General', name: 'a.c', value: 'x', type: 'str' },
      { section: 'General', name: 'd', value: 'false', type: 'bool' },
    ]);
    expect(metricOf('f2/val')).toEqual({ metric: 'f2', variant: 'val' });
    expect(metricOf('class_f2_val/a/b')).toEqual({ metric: 'class_f2_val/a', variant: 'b' });
    expect(metricOf('lr')).toEqual({ metric: 'lr', variant: 'lr' });
  });
});
