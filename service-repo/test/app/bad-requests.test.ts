/**
 * Every kind of bad request we could think of, over a real socket to a listening server (so Node's
 * HTTP parser and Fastify's router take part, not only the routes): none may answer 5xx, and every
 * answer has the one error shape `{error, statusCode, code, requestId}` (plus `file` for an image),
 * with the stable code the README's error table lists.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import { multipart } from '../helpers/multipart.js';
import { httpRequest as req, rawRequest, type RawResponse } from '../helpers/raw-http.js';

const KEY = 'k'.repeat(20);
let app: FastifyInstance;
let keyed: FastifyInstance;
let port: number;
let keyedPort: number;
let jpeg: Buffer;

async function listen(instance: FastifyInstance): Promise<number> {
  await instance.listen({ host: '127.0.0.1', port: 0 });
  return (instance.server.address() as AddressInfo).port;
}

beforeAll(async () => {
  jpeg = (await tinyBundle()).images[0]!.bytes;
  app = await buildTestApp({ env: { MAX_FILES: '2', MAX_FILE_BYTES: '200000', MAX_BODY_BYTES: '300000' } });
  // Loading never starts: its model routes answer 503; and it takes an API key.
  keyed = await buildTestApp({ load: false, env: { API_KEY: KEY } });
  port = await listen(app);
  keyedPort = await listen(keyed);
});
afterAll(async () => {
  await app.close();
  await keyed.close();
  cleanTempDirs();
});

const json = (path: string, body: string, headers: Record<string, string> = {}): Buffer =>
  req('POST', path, { 'content-type': 'application/json', ...headers }, body);
const form = async (path: string, uploads: { name: string; bytes: Uint8Array }[], fields: Record<string, string> = {}): Promise<Buffer> => {
  const { payload, headers } = await multipart(uploads, fields);
  return req('POST', path, headers, payload);
};
const tensor = (shape: number[], datatype = 'UINT8', name = 'image'): string =>
  JSON.stringify({ inputs: [{ name, datatype, shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0) }] });

type Case = [name: string, request: () => Buffer | Promise<Buffer>, status: number, code: string, target?: 'keyed'];

const CASES: Case[] = [
  // Bodies of the upload routes
  ['predict without a body', () => req('POST', '/v1/predict'), 400, 'NO_FILES'],
  ['preprocess without a body', () => req('POST', '/v1/preprocess'), 400, 'NO_FILES'],
  ['predict with content-length 0', () => req('POST', '/v1/predict', { 'content-length': '0' }), 400, 'NO_FILES'],
  ['predict, a body without content-type', () => req('POST', '/v1/predict', {}, 'hello'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['predict, text/plain', () => req('POST', '/v1/predict', { 'content-type': 'text/plain' }, 'hello'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['predict, a raw image/jpeg body', () => req('POST', '/v1/predict', { 'content-type': 'image/jpeg' }, jpeg), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['predict, a urlencoded form', () => req('POST', '/v1/predict', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['predict, empty JSON', () => json('/v1/predict', ''), 400, 'MALFORMED_JSON'],
  ['predict, truncated JSON', () => json('/v1/predict', '{"images": [{"name": "a", '), 400, 'MALFORMED_JSON'],
  ['predict, JSON with __proto__', () => json('/v1/predict', '{"__proto__": {"polluted": true}, "images": []}'), 400, 'MALFORMED_JSON'],
  ['predict, JSON null', () => json('/v1/predict', 'null'), 400, 'VALIDATION'],
  ['predict, a JSON array', () => json('/v1/predict', '[]'), 400, 'VALIDATION'],
  ['predict, no images', () => json('/v1/predict', '{"images": []}'), 400, 'VALIDATION'],
  ['predict, an unknown field', () => json('/v1/predict', '{"pictures": []}'), 400, 'VALIDATION'],
  ['predict, more JSON images than MAX_FILES', () => json('/v1/predict', JSON.stringify({ images: [1, 2, 3].map((i) => ({ name: `${i}.jpg`, data: '' })) })), 400, 'VALIDATION'],
  ['predict, bad base64', () => json('/v1/predict', '{"images": [{"name": "a.jpg", "data": "**"}]}'), 400, 'BAD_BASE64'],
  ['predict, base64 of text', () => json('/v1/predict', JSON.stringify({ images: [{ name: 'a.jpg', data: Buffer.from('not an image').toString('base64') }] })), 400, 'BAD_IMAGE'],
  ['predict, a GIF', () => json('/v1/predict', JSON.stringify({ images: [{ name: 'a.gif', data: Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64').toString('base64') }] })), 415, 'UNSUPPORTED_IMAGE'],
  ['predict, threshold above 1', () => json('/v1/predict?threshold=2', '{"images": []}'), 400, 'VALIDATION'],
  ['predict, threshold not a number', () => json('/v1/predict?threshold=high', '{"images": []}'), 400, 'VALIDATION'],
  ['predict, JSON over MAX_BODY_BYTES', () => json('/v1/predict', JSON.stringify({ images: [{ name: 'a', data: 'A'.repeat(400_000) }] })), 413, 'BODY_TOO_LARGE'],
  ['predict, multipart without a boundary', () => req('POST', '/v1/predict', { 'content-type': 'multipart/form-data' }, 'x'), 400, 'MALFORMED_MULTIPART'],
  ['predict, truncated multipart', () => req('POST', '/v1/predict', { 'content-type': 'multipart/form-data; boundary=xyz' }, '--xyz\r\nContent-Disposition: form-data; name="f"; filename="a.jpg"\r\n\r\nabc'), 400, 'MALFORMED_MULTIPART'],
  ['predict, multipart without files', () => form('/v1/predict', [], { a: 'b' }), 400, 'NO_FILES'],
  ['predict, multipart file over MAX_FILE_BYTES', () => form('/v1/predict', [{ name: 'big.jpg', bytes: Buffer.alloc(250_000) }]), 413, 'IMAGE_TOO_LARGE'],
  ['predict, more multipart files than MAX_FILES', () => form('/v1/predict', [1, 2, 3].map((i) => ({ name: `${i}.jpg`, bytes: jpeg }))), 413, 'TOO_MANY_FILES'],
  ['preprocess, a multipart text file', () => form('/v1/preprocess', [{ name: 'notes.txt', bytes: Buffer.from('plain text') }]), 400, 'BAD_IMAGE'],
  // Routing
  ['an unknown path', () => req('GET', '/nothing/here'), 404, 'NOT_FOUND'],
  ['a dotfile', () => req('GET', '/.env'), 404, 'NOT_FOUND'],
  ['a path escaping the page folder', () => req('GET', '/../package.json'), 404, 'NOT_FOUND'],
  ['an encoded path escape in /docs', () => req('GET', '/docs/static/..%2f..%2fpackage.json'), 404, 'NOT_FOUND'],
  ['GET on a POST route', () => req('GET', '/v1/predict'), 405, 'METHOD_NOT_ALLOWED'],
  ['DELETE on a POST route', () => req('DELETE', '/v1/preprocess'), 405, 'METHOD_NOT_ALLOWED'],
  ['PUT on a GET route', () => req('PUT', '/health/live', { 'content-type': 'application/json' }, '{}'), 405, 'METHOD_NOT_ALLOWED'],
  ['POST on the metrics', () => req('POST', '/metrics'), 405, 'METHOD_NOT_ALLOWED'],
  ['OPTIONS without CORS', () => req('OPTIONS', '/v1/predict'), 405, 'METHOD_NOT_ALLOWED'],
  ['a WebDAV method', () => req('PROPFIND', '/'), 405, 'METHOD_NOT_ALLOWED'],
  ['bad percent-encoding in the path', () => req('GET', '/v1/%zz'), 400, 'BAD_URL'],
  ['a lone % in the path', () => req('GET', '/%'), 400, 'BAD_URL'],
  ['a path parameter over 100 characters', () => req('GET', `/v2/models/${'m'.repeat(150)}`), 414, 'URI_TOO_LONG'],
  // Static files
  ['an onnxruntime-web file that is not served', () => req('GET', '/ort/ort.all.min.mjs'), 400, 'VALIDATION'],
  ['a package file through /ort/', () => req('GET', '/ort/..%2fpackage.json'), 400, 'VALIDATION'],
  ['a range past the end of a file', () => req('GET', '/app.js', { range: 'bytes=99999999-' }), 416, 'RANGE_NOT_SATISFIABLE'],
  ['If-Match that does not match', () => req('GET', '/app.js', { 'if-match': '"nope"' }), 412, 'PRECONDITION_FAILED'],
  // Open Inference Protocol
  ['OIP, another model', () => req('GET', '/v2/models/resnet'), 404, 'MODEL_NOT_FOUND'],
  ['OIP infer without a body', () => req('POST', '/v2/models/planet/infer'), 400, 'VALIDATION'],
  ['OIP infer, multipart', () => form('/v2/models/planet/infer', [{ name: 'a.jpg', bytes: jpeg }]), 400, 'VALIDATION'],
  ['OIP infer, no inputs field', () => json('/v2/models/planet/infer', '{"id": "1"}'), 400, 'VALIDATION'],
  ['OIP infer, wrong shape', () => json('/v2/models/planet/infer', tensor([1, 64, 64, 3])), 400, 'BAD_TENSOR'],
  ['OIP infer, wrong datatype', () => json('/v2/models/planet/infer', tensor([1, 16, 16, 3], 'FP32')), 400, 'BAD_TENSOR'],
  ['OIP infer, wrong input name', () => json('/v2/models/planet/infer', tensor([1, 16, 16, 3], 'UINT8', 'input')), 400, 'BAD_TENSOR'],
  ['OIP infer, a batch over MAX_FILES', () => json('/v2/models/planet/infer', tensor([3, 16, 16, 3])), 400, 'BAD_TENSOR'],
  ['OIP infer on an unknown model', () => json('/v2/models/other/infer', tensor([1, 16, 16, 3])), 404, 'MODEL_NOT_FOUND'],
  // API key and readiness
  ['no API key', () => req('GET', '/v1/labels'), 401, 'UNAUTHORIZED', 'keyed'],
  ['a wrong API key', () => req('GET', '/v2/models/planet', { 'x-api-key': 'w'.repeat(20) }), 401, 'UNAUTHORIZED', 'keyed'],
  ['a malformed Authorization header', () => req('GET', '/v1/model', { authorization: 'Basic abc' }), 401, 'UNAUTHORIZED', 'keyed'],
  ['the model before it is loaded', () => req('GET', '/v1/model', { 'x-api-key': KEY }), 503, 'MODEL_NOT_READY', 'keyed'],
  // Malformed HTTP, refused by Node's parser before Fastify sees a request
  ['a method with a control character', () => Buffer.from('G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'), 400, 'MALFORMED_HTTP'],
  ['an unknown HTTP version', () => Buffer.from('GET / HTTP/7.3\r\nHost: x\r\n\r\n'), 400, 'MALFORMED_HTTP'],
  ['binary garbage', () => Buffer.from([0, 1, 2, 3, 13, 10, 13, 10]), 400, 'MALFORMED_HTTP'],
  ['a space inside the URL', () => Buffer.from('GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'MALFORMED_HTTP'],
  ['a header line without a colon', () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n'), 400, 'MALFORMED_HTTP'],
  ['a header name with a space', () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nbad name: 1\r\n\r\n'), 400, 'MALFORMED_HTTP'],
  ['a non-numeric content-length', () => Buffer.from('POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'), 400, 'MALFORMED_HTTP'],
  ['content-length and transfer-encoding together', () => Buffer.from('POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 400, 'MALFORMED_HTTP'],
  ['a bad chunk size', () => Buffer.from('POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'), 400, 'MALFORMED_HTTP'],
  ['headers over the size limit', () => req('GET', '/health/live', { 'x-filler': 'a'.repeat(20_000) }), 431, 'HEADERS_TOO_LARGE'],
  ['a URL over the size limit', () => req('GET', `/v1/labels?q=${'a'.repeat(20_000)}`), 431, 'HEADERS_TOO_LARGE'],
  ['HTTP/1.1 without Host', () => Buffer.from('GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'MISSING_HOST'],
  ['an unsupported Expect header', () => req('POST', '/v1/predict', { expect: 'teapot', 'content-type': 'application/json' }, '{}'), 417, 'EXPECTATION_FAILED'],
];

function expectErrorShape(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body).filter((k) => !['error', 'statusCode', 'code', 'requestId', 'file'].includes(k))).toEqual([]);
  expect(body).toEqual(expect.objectContaining({ error: expect.any(String), statusCode: status, code, requestId: expect.any(String) }));
  expect(res.headers['x-request-id']).toBe(body.requestId);
}

describe('bad requests of every kind', () => {
  it('covers at least 40 kinds', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c[0])).size).toBe(CASES.length);
  });

  // Objects, not rows: Jest reads a row's missing last element as a `done` callback.
  const table = CASES.map(([name, request, status, code, target]) => ({ name, request, status, code, keyed: target === 'keyed' }));
  it.each(table)('$name: $status $code, in the one error shape', async ({ request, status, code, keyed: toKeyed }) => {
    const res = await rawRequest(toKeyed ? keyedPort : port, await request());
    // 503 MODEL_NOT_READY is the one 5xx a client can cause: asking before the model is ready.
    if (code !== 'MODEL_NOT_READY') expect(res.status).toBeLessThan(500);
    expectErrorShape(res, status, code);
  });

  it('names the allowed methods of a known path (405 with Allow)', async () => {
    const res = await rawRequest(port, req('GET', '/v1/predict'));
    expect(res.headers.allow).toBe('POST');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'GET is not allowed on /v1/predict (allowed: POST)' });
  });

  it('still answers a good request afterwards', async () => {
    const res = await rawRequest(port, req('GET', '/health/live'));
    expect(res.status).toBe(200);
  });
});

describe('parser refusals too slow to provoke in a test', () => {
  it('a request that took longer than REQUEST_TIMEOUT_MS is 408 REQUEST_TIMEOUT', async () => {
    const { describeClientError } = await import('../../src/http/index.js');
    expect(describeClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }))).toMatchObject({ statusCode: 408, code: 'REQUEST_TIMEOUT' });
  });
});
