import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { chmod, copyFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dvcAdd } from './add.js';
import { CorruptObjectError, objectPath } from './cache.js';
import { hashBytes } from './md5.js';
import { promotePointers } from './promote.js';
import { RemoteError } from './remotes/index.js';
import { listPointers, openDvcRepo, repoRemote, type DvcRepo } from './repo.js';
import { startHttpRemoteServer, type HttpRemoteServer } from '../../test/servers/dvc-http-remote.js';
import { dvcPull, dvcPush } from './transfer.js';

const BUNDLE: Record<string, Buffer> = {
  'model.onnx': Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251)),
  'model.json': Buffer.from('{"schema":"planet-model-card/1"}\n'),
  'golden.json': Buffer.from('[]\n'),
};
const quiet = (): void => undefined;

/** A DVC project in a temp folder whose config points at `remoteUrl`, with the bundle in models/. */
async function makeProject(remoteUrl: string, withBundle: boolean): Promise<DvcRepo> {
  const root = await mkdtemp(join(tmpdir(), 'dvc-project-'));
  await mkdir(join(root, '.dvc'));
  await mkdir(join(root, 'models'));
  await writeFile(join(root, '.dvc', 'config'), `[core]\n    remote = store\n['remote "store"']\n    url = ${remoteUrl}\n`);
  if (withBundle) {
    for (const [name, bytes] of Object.entries(BUNDLE)) await writeFile(join(root, 'models', name), bytes);
  }
  return openDvcRepo(root);
}

async function addBundle(repo: DvcRepo): Promise<string[]> {
  await dvcAdd(repo, Object.keys(BUNDLE).map((name) => join(repo.root, 'models', name)));
  return listPointers(join(repo.root, 'models'));
}

/** A fresh clone: only the committed files (config and pointers) are copied. */
async function cloneOf(repo: DvcRepo, remoteUrl: string): Promise<DvcRepo> {
  const clone = await makeProject(remoteUrl, false);
  for (const pointer of await listPointers(join(repo.root, 'models'))) {
    await copyFile(pointer, join(clone.root, 'models', pointer.split('/').pop() ?? ''));
  }
  return clone;
}

async function expectBundle(repo: DvcRepo): Promise<void> {
  for (const [name, bytes] of Object.entries(BUNDLE)) {
    const pulled = await readFile(join(repo.root, 'models', name));
    expect(hashBytes(pulled).md5).toBe(hashBytes(bytes).md5);
  }
}

describe('dvc add', () => {
  it('caches read-only objects by md5, writes pointers and .gitignore', async () => {
    const repo = await makeProject('../remote', true);
    const pointers = await addBundle(repo);
    expect(pointers.map((p) => p.split('/').pop())).toEqual(['golden.json.dvc', 'model.json.dvc', 'model.onnx.dvc']);
    const md5 = hashBytes(BUNDLE['model.onnx']!).md5;
    expect(await readFile(join(repo.root, 'models', 'model.onnx.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${md5}\n  size: 70000\n  hash: md5\n  path: model.onnx\n`,
    );
    const cached = join(repo.root, '.dvc', 'cache', 'files', 'md5', md5.slice(0, 2), md5.slice(2));
    expect((await stat(cached)).mode & 0o777).toBe(0o444);
    expect(await readFile(cached)).toEqual(BUNDLE['model.onnx']);
    expect(await readFile(join(repo.root, 'models', '.gitignore'), 'utf8')).toBe('/model.onnx\n/model.json\n/golden.json\n');
  });
});

describe('push and pull through a folder remote', () => {
  it('round-trips the bundle byte for byte into a fresh clone', async () => {
    const remoteDir = await mkdtemp(join(tmpdir(), 'dvc-remote-'));
    const repo = await makeProject(remoteDir, true);
    const pointers = await addBundle(repo);
    expect(await dvcPush(repo, repoRemote(repo, {}, {}), pointers, quiet)).toEqual({ transferred: 3, upToDate: 0 });
    expect(await dvcPush(repo, repoRemote(repo, {}, {}), pointers, quiet)).toEqual({ transferred: 0, upToDate: 3 });
    const md5 = hashBytes(BUNDLE['model.json']!).md5;
    expect(await readFile(join(remoteDir, 'files', 'md5', md5.slice(0, 2), md5.slice(2)))).toEqual(BUNDLE['model.json']);

    const clone = await cloneOf(repo, remoteDir);
    const lines: string[] = [];
    const clonePointers = await listPointers(join(clone.root, 'models'));
    expect(await dvcPull(clone, repoRemote(clone, {}, {}), clonePointers, (line) => lines.push(line))).toEqual({ transferred: 3, upToDate: 0 });
    await expectBundle(clone);
    expect(lines.every((line) => line.startsWith('pulled'))).toBe(true);
    expect(await dvcPull(clone, repoRemote(clone, {}, {}), clonePointers, quiet)).toEqual({ transferred: 0, upToDate: 3 });
  });

  it('refuses a corrupted remote object and leaves no workspace file', async () => {
    const remoteDir = await mkdtemp(join(tmpdir(), 'dvc-remote-'));
    const repo = await makeProject(remoteDir, true);
    const pointers = await addBundle(repo);
    await dvcPush(repo, repoRemote(repo, {}, {}), pointers, quiet);
    const md5 = hashBytes(BUNDLE['model.onnx']!).md5;
    const object = join(remoteDir, objectPath(md5));
    await chmod(object, 0o644);
    await writeFile(object, Buffer.concat([BUNDLE['model.onnx']!.subarray(1), Buffer.from([0])]));
    const clone = await cloneOf(repo, remoteDir);
    const onnxPointer = [join(clone.root, 'models', 'model.onnx.dvc')];
    await expect(dvcPull(clone, repoRemote(clone, {}, {}), onnxPointer, quiet)).rejects.toThrow(CorruptObjectError);
    await expect(dvcPull(clone, repoRemote(clone, {}, {}), onnxPointer, quiet)).rejects.toThrow(`expected ${md5}; refusing corrupted object`);
    await expect(stat(join(clone.root, 'models', 'model.onnx'))).rejects.toThrow(/ENOENT/);
    expect(await clone.cache.has(md5)).toBe(false);
  });

  it('names the missing object when nothing was pushed', async () => {
    const remoteDir = await mkdtemp(join(tmpdir(), 'dvc-remote-'));
    const repo = await makeProject(remoteDir, true);
    await addBundle(repo);
    const clone = await cloneOf(repo, remoteDir);
    await expect(dvcPull(clone, repoRemote(clone, {}, {}), await listPointers(join(clone.root, 'models')), quiet)).rejects.toThrow(
      /object not found \(was it pushed\?\)/,
    );
  });
});

describe('push and pull through an HTTP remote (as DVC: HEAD, POST, GET)', () => {
  let server: HttpRemoteServer;
  let served: string;
  beforeAll(async () => {
    served = await mkdtemp(join(tmpdir(), 'dvc-http-'));
    server = await startHttpRemoteServer({ root: served, authorization: `Basic ${Buffer.from('ci:secret').toString('base64')}` });
  });
  afterAll(() => server.close());

  it('pushes with POST to files/md5/xx/rest and pulls with GET, with basic auth', async () => {
    const url = `${server.url}/store`;
    const repo = await makeProject(url, true);
    const pointers = await addBundle(repo);
    const env = { DVC_REMOTE_USER: 'ci', DVC_REMOTE_PASSWORD: 'secret' };
    await dvcPush(repo, repoRemote(repo, {}, env), pointers, quiet);
    const md5 = hashBytes(BUNDLE['golden.json']!).md5;
    expect(server.requests).toContainEqual({ method: 'HEAD', path: `/store/${objectPath(md5)}` });
    expect(server.requests).toContainEqual({ method: 'POST', path: `/store/${objectPath(md5)}` });
    expect(await readFile(join(served, 'store', objectPath(md5)))).toEqual(BUNDLE['golden.json']);

    const clone = await cloneOf(repo, url);
    await dvcPull(clone, repoRemote(clone, {}, env), await listPointers(join(clone.root, 'models')), quiet);
    await expectBundle(clone);
    expect(server.requests).toContainEqual({ method: 'GET', path: `/store/${objectPath(md5)}` });
  });

  it('reports a refused login clearly', async () => {
    const repo = await makeProject(`${server.url}/store`, true);
    const pointers = await addBundle(repo);
    await expect(dvcPush(repo, repoRemote(repo, {}, {}), pointers, quiet)).rejects.toThrow(/HEAD http:\/\/127\.0\.0\.1:\d+\/store\/files\/md5\/.*: HTTP 401/);
  });

  it('refuses a corrupted object served over HTTP', async () => {
    const url = `${server.url}/bad`;
    const repo = await makeProject(url, true);
    const md5 = hashBytes(BUNDLE['model.json']!).md5;
    await addBundle(repo);
    await mkdir(join(served, 'bad', 'files', 'md5', md5.slice(0, 2)), { recursive: true });
    await writeFile(join(served, 'bad', objectPath(md5)), 'tampered');
    const clone = await cloneOf(repo, url);
    const env = { DVC_REMOTE_USER: 'ci', DVC_REMOTE_PASSWORD: 'secret' };
    await expect(dvcPull(clone, repoRemote(clone, {}, env), [join(clone.root, 'models', 'model.json.dvc')], quiet)).rejects.toThrow(CorruptObjectError);
  });
});

/** Just enough of S3's path-style REST API (HEAD, GET, PUT object) to check what the SDK sends. */
function fakeS3(objects: Map<string, Buffer>, seen: string[]): Server {
  return createServer((request, response) => {
    const key = decodeURIComponent((request.url ?? '').split('?')[0] ?? '');
    seen.push(`${request.method} ${key}`);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'PUT') {
        objects.set(key, Buffer.concat(chunks));
        response.writeHead(200, { etag: '"x"' }).end();
        return;
      }
      const body = objects.get(key);
      if (body === undefined) {
        response.writeHead(404, { 'content-type': 'application/xml' }).end(request.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code></Error>');
        return;
      }
      response.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      response.end(request.method === 'HEAD' ? undefined : body);
    });
  });
}

describe('push and pull through an S3-compatible remote (AWS SDK, endpoint override)', () => {
  const objects = new Map<string, Buffer>();
  const seen: string[] = [];
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = fakeS3(objects, seen);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));

  it('stores objects under s3://bucket/prefix/files/md5/xx/rest and pulls them back', async () => {
    const env = { DVC_S3_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
    const repo = await makeProject('s3://models-bucket/planet', true);
    const pointers = await addBundle(repo);
    expect(await dvcPush(repo, repoRemote(repo, {}, env), pointers, quiet)).toEqual({ transferred: 3, upToDate: 0 });
    const md5 = hashBytes(BUNDLE['model.onnx']!).md5;
    expect(objects.get(`/models-bucket/planet/${objectPath(md5)}`)).toEqual(BUNDLE['model.onnx']);
    expect(seen).toContain(`PUT /models-bucket/planet/${objectPath(md5)}`);

    const clone = await cloneOf(repo, 's3://models-bucket/planet');
    await dvcPull(clone, repoRemote(clone, {}, env), await listPointers(join(clone.root, 'models')), quiet);
    await expectBundle(clone);
    objects.clear();
    const fresh = await cloneOf(repo, 's3://models-bucket/planet');
    await expect(dvcPull(fresh, repoRemote(fresh, {}, env), await listPointers(join(fresh.root, 'models')), quiet)).rejects.toThrow(RemoteError);
  });
});

describe('promote', () => {
  it('copies pointers into another project and ignores the tracked files there', async () => {
    const repo = await makeProject('../remote', true);
    const pointers = await addBundle(repo);
    const service = await mkdtemp(join(tmpdir(), 'service-'));
    const promoted = await promotePointers(pointers, join(service, 'models'));
    expect(promoted).toHaveLength(3);
    expect(await readFile(join(service, 'models', 'model.onnx.dvc'), 'utf8')).toBe(await readFile(join(repo.root, 'models', 'model.onnx.dvc'), 'utf8'));
    expect((await readFile(join(service, 'models', '.gitignore'), 'utf8')).split('\n').sort()).toEqual(['', '/golden.json', '/model.json', '/model.onnx']);
  });
});
