import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackboneChecksumError, BackboneUnavailableError, cachePath, resolveBackbone, sha256Hex } from './resolve.js';

const payload = Buffer.from('not really a network, but bytes all the same\n'.repeat(100));
const payloadSha = sha256Hex(payload);
const quiet = { onProgress: (): void => undefined };

describe('resolveBackbone', () => {
  let server: Server;
  let base = '';
  let dir = '';
  let hits = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backbone-'));
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/files/model.tflite') {
        res.writeHead(200, { 'content-length': String(payload.length) });
        res.end(payload);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => { done(); }));
    await rm(dir, { recursive: true, force: true });
  });

  it('downloads a URL into the cache under its hash, reports progress, and reuses it', async () => {
    const cacheDir = join(dir, 'cache1');
    const seen: number[] = [];
    const url = `${base}/files/model.tflite`;
    const first = await resolveBackbone({ url, sha256: payloadSha, cacheDir }, { onProgress: (r) => seen.push(r) });
    expect(first.path).toBe(cachePath(cacheDir, url, payloadSha));
    expect(first.path.endsWith(`${payloadSha}-model.tflite`)).toBe(true);
    expect(first.source).toBe(url);
    expect(await readFile(first.path)).toEqual(payload);
    expect(seen.at(-1)).toBe(payload.length);
    // No temporary file is left behind by the atomic write.
    expect(await readdir(cacheDir)).toEqual([`${payloadSha}-model.tflite`]);
    const before = hits;
    const second = await resolveBackbone({ url, sha256: payloadSha, cacheDir }, quiet);
    expect(second.path).toBe(first.path);
    expect(hits).toBe(before);
  });

  it('rejects a download whose sha256 differs and caches nothing', async () => {
    const cacheDir = join(dir, 'cache2');
    const wrong = '0'.repeat(64);
    await expect(resolveBackbone({ url: `${base}/files/model.tflite`, sha256: wrong, cacheDir }, quiet))
      .rejects.toThrow(BackboneChecksumError);
    await expect(readdir(cacheDir)).rejects.toThrow();
  });

  it('says which file to put where when the server cannot be reached', async () => {
    const cacheDir = join(dir, 'cache3');
    const url = 'http://127.0.0.1:1/files/model.tflite';
    const promise = resolveBackbone({ url, sha256: payloadSha, cacheDir }, quiet);
    await expect(promise).rejects.toThrow(BackboneUnavailableError);
    await expect(promise).rejects.toThrow(cachePath(cacheDir, url, payloadSha));
    await expect(promise).rejects.toThrow(url);
  });

  it('names the HTTP status of a failed download', async () => {
    await expect(resolveBackbone({ url: `${base}/missing.tflite`, sha256: payloadSha, cacheDir: join(dir, 'c4') }, quiet))
      .rejects.toThrow('HTTP 404');
  });

  it('uses a local path as it is, and checks its sha256 when given', async () => {
    const file = join(dir, 'local.onnx');
    await writeFile(file, payload);
    const ok = await resolveBackbone({ path: file, sha256: payloadSha, cacheDir: dir });
    expect(ok).toEqual({ path: file, sha256: payloadSha, source: file });
    await expect(resolveBackbone({ path: file, sha256: 'f'.repeat(64), cacheDir: dir })).rejects.toThrow(/sha256 .* expected f{64}/);
  });

  it('falls back to the URL when the configured path is missing', async () => {
    const url = `${base}/files/model.tflite`;
    const got = await resolveBackbone({ path: join(dir, 'nope.tflite'), url, sha256: payloadSha, cacheDir: join(dir, 'c5') }, quiet);
    expect(got.source).toBe(url);
  });

  it('names the public source of a known backbone when its file is missing', async () => {
    const path = join(dir, 'mobilenet_v2_1.0_224_quant.tflite');
    await expect(resolveBackbone({ path, cacheDir: dir })).rejects.toThrow(/google-coral\/test_data.*put it at .*mobilenet_v2_1\.0_224_quant\.tflite/);
  });

  it('requires a sha256 with a URL', async () => {
    await expect(resolveBackbone({ url: `${base}/files/model.tflite`, sha256: '', cacheDir: dir })).rejects.toThrow('sha256 is required');
  });
});
