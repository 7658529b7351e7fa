import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptObjectError, modelPull, objectPath, parsePointer } from './index.js';

const BUNDLE: Record<string, Buffer> = {
  'model.onnx': Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 256)),
  'model.json': Buffer.from('{"schema":"planet-model-card/1"}'),
  'golden.json': Buffer.from('[]'),
};
const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const quiet = (): void => undefined;

/** A remote folder holding the bundle as `dvc push` lays it out. */
async function remoteWithBundle(): Promise<string> {
  const remote = await mkdtemp(join(tmpdir(), 'svc-remote-'));
  for (const bytes of Object.values(BUNDLE)) {
    const file = join(remote, objectPath(md5(bytes)));
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, bytes);
  }
  return remote;
}

/** A fresh service checkout: .dvc/config naming `url`, and the pointers `model:promote` copies. */
async function checkout(url: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'svc-'));
  await mkdir(join(root, '.dvc'));
  await mkdir(join(root, 'models'));
  await writeFile(join(root, '.dvc', 'config'), `[core]\n    remote = store\n['remote "store"']\n    url = ${url}\n`);
  for (const [name, bytes] of Object.entries(BUNDLE)) {
    await writeFile(join(root, 'models', `${name}.dvc`), `outs:\n- md5: ${md5(bytes)}\n  size: ${bytes.length}\n  hash: md5\n  path: ${name}\n`);
  }
  return root;
}

async function expectBundle(root: string): Promise<void> {
  for (const [name, bytes] of Object.entries(BUNDLE)) expect(md5(await readFile(join(root, 'models', name)))).toBe(md5(bytes));
}

describe('model:pull (DVC 3 pointers and remotes)', () => {
  it('reads a pointer file as DVC writes it', () => {
    const text = 'outs:\n- md5: fb5d0044da2b85949f1b5d9dd70d3759\n  size: 241149\n  hash: md5\n  path: model.joblib\n';
    expect(parsePointer(text, 'model.joblib.dvc')).toEqual([{ md5: 'fb5d0044da2b85949f1b5d9dd70d3759', size: 241149, path: 'model.joblib' }]);
    expect(() => parsePointer(text.replace('241149', 'big'), 'm.dvc')).toThrow(/^m\.dvc:3: outs\[0\]\.size/);
  });

  it('says what to do when there are no pointers at all', async () => {
    const root = await mkdtemp(join(tmpdir(), 'svc-empty-'));
    await expect(modelPull(root, [], quiet, {})).rejects.toThrow(/not a DVC project/);
    await mkdir(join(root, '.dvc'));
    await mkdir(join(root, 'models'));
    await expect(modelPull(root, [], quiet, {})).rejects.toThrow(/no \.dvc pointer files; promote a model .*model:promote/);
  });

  it('fetches the bundle from a folder remote, byte for byte, into a read-only cache', async () => {
    const root = await checkout(await remoteWithBundle());
    const lines: string[] = [];
    await modelPull(root, [], (line) => lines.push(line), {});
    await expectBundle(root);
    expect(lines.at(-1)).toMatch(/^3 pulled, 0 up to date, md5 checked/);
    const cached = join(root, '.dvc', 'cache', objectPath(md5(BUNDLE['model.onnx']!)));
    expect((await stat(cached)).mode & 0o777).toBe(0o444);
    await modelPull(root, [], (line) => lines.push(line), {});
    expect(lines.at(-1)).toMatch(/^0 pulled, 3 up to date/);
  });

  it('takes the remote from DVC_REMOTE_URL before .dvc/config', async () => {
    const root = await checkout('/nonexistent/remote');
    await modelPull(root, [], quiet, { DVC_REMOTE_URL: await remoteWithBundle() });
    await expectBundle(root);
  });

  it('refuses a corrupted object and writes nothing', async () => {
    const remote = await remoteWithBundle();
    await writeFile(join(remote, objectPath(md5(BUNDLE['model.onnx']!))), 'not the model');
    const root = await checkout(remote);
    await expect(modelPull(root, ['models/model.onnx.dvc'], quiet, {})).rejects.toThrow(CorruptObjectError);
    await expect(stat(join(root, 'models', 'model.onnx'))).rejects.toThrow(/ENOENT/);
  });

  it('names a pointer file that is not valid', async () => {
    const root = await checkout('/x');
    for (const name of Object.keys(BUNDLE)) await writeFile(join(root, 'models', `${name}.dvc`), '');
    await expect(modelPull(root, ['models/model.json.dvc'], quiet, {})).rejects.toThrow(/models\/model\.json\.dvc: outs: expected a non-empty list/);
  });
});

describe('model:pull over HTTP and S3', () => {
  let http: Server;
  let base: string;
  const seen: string[] = [];
  beforeAll(async () => {
    const remote = await remoteWithBundle();
    http = createServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
      const path = decodeURIComponent((request.url ?? '').split('?')[0] ?? '');
      const s3 = /^\/bucket\/prefix\/(files\/.*)$/.exec(path)?.[1];
      const dvc = /^\/dvc\/(files\/.*)$/.exec(path)?.[1];
      const relative = s3 ?? (request.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}` ? dvc : undefined);
      readFile(join(remote, relative ?? 'missing'))
        .then((bytes) => { response.writeHead(200, { 'content-length': bytes.length }).end(bytes); })
        .catch(() => { response.writeHead(relative === undefined ? 401 : 404).end(); });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => http.close(() => { resolve(); })));

  it('GETs files/md5/xx/rest from an http remote with basic auth from the environment', async () => {
    const root = await checkout(`${base}/dvc`);
    await modelPull(root, [], quiet, { DVC_REMOTE_USER: 'u', DVC_REMOTE_PASSWORD: 'p' });
    await expectBundle(root);
    const onnx = md5(BUNDLE['model.onnx']!);
    expect(seen).toContain(`GET /dvc/files/md5/${onnx.slice(0, 2)}/${onnx.slice(2)} Basic ${Buffer.from('u:p').toString('base64')}`);
    await expect(modelPull(await checkout(`${base}/dvc`), [], quiet, {})).rejects.toThrow(/HTTP 401/);
  });

  it('reads s3://bucket/prefix through the AWS SDK at an S3-compatible endpoint', async () => {
    const root = await checkout('s3://bucket/prefix');
    await modelPull(root, [], quiet, { DVC_S3_ENDPOINT_URL: base, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
    await expectBundle(root);
  });
});
