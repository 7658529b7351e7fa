/**
 * The Open Inference Protocol as the Triton HTTP client speaks it: its exact request bytes (no
 * Content-Type, binary tensor data after the JSON header, versioned routes) over a real socket,
 * and its way of reading the answer (Inference-Header-Content-Length, FP32 little-endian bytes).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import { referencePrepare } from '../helpers/reference.js';
import type { TinyBundle } from '../helpers/tiny-bundle.js';
import { readInferResult, send, tritonInferBody, tritonRequest, type WireResponse } from '../helpers/triton-wire.js';

const LABELS = 17;
let app: FastifyInstance;
let port: number;
let bundle: TinyBundle;
let batch: Uint8Array;
const COUNT = 3;

beforeAll(async () => {
  bundle = await tinyBundle();
  app = await buildTestApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  const pixels = await Promise.all(bundle.images.slice(0, COUNT).map(async (img) => (await referencePrepare(img.bytes, bundle.card.input.resize)).rgb));
  batch = Buffer.concat(pixels);
});
afterAll(async () => {
  await app.close();
  cleanTempDirs();
});

const shape = (): number[] => [COUNT, bundle.card.input.size, bundle.card.input.size, 3];
const infer = (path: string, binary: boolean, output: { binary?: boolean } = {}): Promise<WireResponse> =>
  send(port, tritonRequest(port, path, tritonInferBody({ shape: shape(), bytes: batch, binary }, output)));

function expectGolden(values: number[]): void {
  expect(values).toHaveLength(COUNT * LABELS);
  for (let i = 0; i < COUNT; i++) {
    bundle.golden[i]!.probabilities.forEach((p, j) => { expect(Math.abs(values[i * LABELS + j]! - p)).toBeLessThanOrEqual(1e-4); });
  }
}

describe('the Triton HTTP client on the wire', () => {
  it.each([
    ['binary input, binary output (the client defaults)', true, {}, true],
    ['JSON input, binary output', false, {}, true],
    ['binary input, JSON output', true, { binary: false }, false],
    ['JSON input, JSON output', false, { binary: false }, false],
    ['binary input, output asked binary by name', true, { binary: true }, true],
  ])('%s: the golden probabilities', async (_, binaryIn, output, binaryOut) => {
    const res = await infer('/v2/models/planet/infer', binaryIn, output);
    expect(res.status).toBe(200);
    const { header, values } = readInferResult(res);
    expect(res.headers['inference-header-content-length'] !== undefined).toBe(binaryOut);
    expect(res.headers['content-type']).toMatch(binaryOut ? /^application\/octet-stream/ : /^application\/json/);
    expect(header.outputs[0]?.shape).toEqual([COUNT, LABELS]);
    expect(header.outputs[0]?.parameters?.binary_data_size).toBe(binaryOut ? COUNT * LABELS * 4 : undefined);
    if (binaryOut) expect(res.body.length).toBe(Number(res.headers['inference-header-content-length']) + COUNT * LABELS * 4);
    expectGolden(values);
  });

  it('versioned routes: metadata, ready and infer for the served version; 404 for another', async () => {
    const v = bundle.card.version;
    const meta = await send(port, tritonRequest(port, `/v2/models/planet/versions/${v}`));
    expect([meta.status, (JSON.parse(meta.body.toString()) as { versions: string[] }).versions]).toEqual([200, [v]]);
    const ready = await send(port, tritonRequest(port, `/v2/models/planet/versions/${v}/ready`));
    expect([ready.status, JSON.parse(ready.body.toString())]).toEqual([200, { name: 'planet', ready: true }]);
    const res = await infer(`/v2/models/planet/versions/${v}/infer`, true);
    expect(res.status).toBe(200);
    expectGolden(readInferResult(res).values);
    for (const path of ['/v2/models/planet/versions/9.9.9', '/v2/models/planet/versions/9.9.9/ready']) {
      const other = await send(port, tritonRequest(port, path));
      expect([other.status, (JSON.parse(other.body.toString()) as { code: string }).code]).toEqual([404, 'MODEL_NOT_FOUND']);
    }
    const wrong = await infer('/v2/models/planet/versions/9.9.9/infer', true);
    expect((JSON.parse(wrong.body.toString()) as { error: string }).error).toBe(`model 'planet' has no version '9.9.9' here (this server serves version '${v}')`);
  });

  it('GET /v2 lists the binary tensor data extension', async () => {
    const res = await send(port, tritonRequest(port, '/v2'));
    expect((JSON.parse(res.body.toString()) as { extensions: string[] }).extensions).toContain('binary_tensor_data');
  });
});

describe('binary requests that do not add up get a 400 in the error shape', () => {
  const post = (body: Buffer, headerLength?: string, contentType?: string): Promise<WireResponse> => {
    const head = ['POST /v2/models/planet/infer HTTP/1.1', `host: localhost:${port}`, `content-length: ${body.length}`];
    if (headerLength !== undefined) head.push(`inference-header-content-length: ${headerLength}`);
    if (contentType !== undefined) head.push(`content-type: ${contentType}`);
    return send(port, Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]));
  };
  const wire = (): { body: Buffer; headerLength?: number } => tritonInferBody({ shape: shape(), bytes: batch, binary: true });

  it.each([
    ['a header length that is not a number', (): Promise<WireResponse> => post(wire().body, 'abc'), 400, 'BAD_TENSOR', /Inference-Header-Content-Length is 'abc'/],
    ['a header length past the body', (): Promise<WireResponse> => post(wire().body, '999999'), 400, 'BAD_TENSOR', /but the body has only/],
    ['a header length that cuts the JSON', (): Promise<WireResponse> => post(wire().body, '10'), 400, 'MALFORMED_JSON', /not valid JSON/],
    ['binary data without the header length', (): Promise<WireResponse> => post(wire().body), 400, 'MALFORMED_JSON', /not valid JSON/],
    ['fewer tensor bytes than binary_data_size', (): Promise<WireResponse> => { const w = wire(); return post(w.body.subarray(0, w.body.length - 5), String(w.headerLength)); }, 400, 'BAD_TENSOR', /only \d+ binary bytes follow/],
    ['extra bytes after the tensor', (): Promise<WireResponse> => { const w = wire(); return post(Buffer.concat([w.body, Buffer.from('xx')]), String(w.headerLength)); }, 400, 'BAD_TENSOR', /^2 binary bytes after the JSON header belong to no tensor/],
    ['a content type that is neither JSON nor octet-stream', (): Promise<WireResponse> => { const w = wire(); return post(w.body, String(w.headerLength), 'text/html'); }, 415, 'UNSUPPORTED_MEDIA_TYPE', /content-type 'text\/html' is not accepted here/],
  ])('%s', async (_, request, status, code, message) => {
    const res = await request();
    const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'requestId', 'statusCode']);
    expect([res.status, body.statusCode, body.code]).toEqual([status, status, code]);
    expect(body.error).toMatch(message);
  });

  it('application/octet-stream and application/json bodies with a header length are read the same way', async () => {
    for (const type of ['application/octet-stream', 'application/json']) {
      const w = wire();
      const res = await post(w.body, String(w.headerLength), type);
      expect(res.status).toBe(200);
      expectGolden(readInferResult(res).values);
    }
  });
});
