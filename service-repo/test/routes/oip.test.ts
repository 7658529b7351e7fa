import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { oipSchemas } from '../fixtures/oip-v2-schemas.js';
import { buildTestApp, cleanTempDirs, tinyBundle } from '../helpers/app.js';
import { referencePrepare } from '../helpers/reference.js';
import type { TinyBundle } from '../helpers/tiny-bundle.js';

const ajv = new Ajv({ strict: false });
const conforms = (schema: object, body: unknown): void => {
  const validate = ajv.compile(schema);
  const ok = validate(body);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
};

let app: FastifyInstance;
let bundle: TinyBundle;
let pixels: Uint8Array[];

beforeAll(async () => {
  bundle = await tinyBundle();
  app = await buildTestApp();
  pixels = await Promise.all(bundle.images.slice(0, 3).map(async (img) => (await referencePrepare(img.bytes, bundle.card.input.resize)).rgb));
});
afterAll(async () => {
  await app.close();
  cleanTempDirs();
});

const infer = (body: unknown, model = 'planet'): Promise<LightMyRequestResponse> => app.inject({ method: 'POST', url: `/v2/models/${model}/infer`, payload: body as object });
const imageInput = (images: Uint8Array[], extra: object = {}): object => ({
  inputs: [{ name: 'image', datatype: 'UINT8', shape: [images.length, 16, 16, 3], data: images.flatMap((p) => Array.from(p)), ...extra }],
});

describe('Open Inference Protocol V2', () => {
  it('GET /v2: server metadata', async () => {
    const res = await app.inject({ url: '/v2' });
    expect(res.statusCode).toBe(200);
    conforms(oipSchemas.metadataServerResponse, res.json());
    expect(res.json()).toEqual({ name: 'planet-svc', version: '0.1.0', extensions: ['binary_tensor_data'] });
  });

  it('health: live and ready answer 200', async () => {
    expect((await app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v2/health/ready' })).statusCode).toBe(200);
    const ready = await app.inject({ url: '/v2/models/planet/ready' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { name: 'planet', ready: true }]);
  });

  it('GET /v2/models/planet: model metadata with the contract tensors', async () => {
    const res = await app.inject({ url: '/v2/models/planet' });
    expect(res.statusCode).toBe(200);
    conforms(oipSchemas.metadataModelResponse, res.json());
    expect(res.json()).toEqual({
      name: 'planet', versions: ['0.0.0-tiny'], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'image', datatype: 'UINT8', shape: [-1, 16, 16, 3] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 17] }],
    });
  });

  it('infer: FP32 [N,17] probabilities equal to the golden ones for the same pixels', async () => {
    const res = await infer({ id: 'req-7', ...imageInput(pixels), outputs: [{ name: 'probabilities' }] });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ model_name: string; model_version: string; id: string; outputs: { name: string; datatype: string; shape: number[]; data: number[] }[] }>();
    conforms(oipSchemas.inferenceResponse, body);
    expect([body.model_name, body.model_version, body.id]).toEqual(['planet', '0.0.0-tiny', 'req-7']);
    expect(body.outputs).toHaveLength(1);
    const [out] = body.outputs;
    expect([out!.name, out!.datatype, out!.shape]).toEqual(['probabilities', 'FP32', [3, 17]]);
    expect(out!.data).toHaveLength(51);
    for (let i = 0; i < 3; i++) {
      bundle.golden[i]!.probabilities.forEach((p, j) => { expect(Math.abs(out!.data[i * 17 + j]! - p)).toBeLessThanOrEqual(1e-4); });
    }
  });

  it('infer: accepts nested data', async () => {
    const nested = [Array.from({ length: 16 }, (_, y) => Array.from({ length: 16 }, (_, x) => Array.from(pixels[0]!.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3))))];
    const res = await infer({ inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, 16, 16, 3], data: nested }] });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['a wrong input name', { inputs: [{ name: 'x', datatype: 'UINT8', shape: [1, 16, 16, 3], data: [] }] }, "unknown input 'x': this model takes one input 'image'"],
    ['a wrong datatype', { inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 16, 16, 3], data: [] }] }, 'inputs[0].datatype is FP32, expected UINT8'],
    ['a wrong shape', { inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, 32, 32, 3], data: [] }] }, 'inputs[0].shape is [1, 32, 32, 3], expected [N, 16, 16, 3] with 1 <= N <= 64'],
    ['too little data', { inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, 16, 16, 3], data: [1, 2, 3] }] }, 'inputs[0].data has 3 elements, the shape gives 768'],
    ['no inputs field', { id: 'x' }, "body must have required property 'inputs'"],
  ])('infer: 400 {"error"} for %s', async (_, body, message) => {
    const res = await infer(body);
    expect(res.statusCode).toBe(400);
    conforms(oipSchemas.errorResponse, res.json());
    expect((res.json<{ error: string }>()).error).toBe(message);
  });

  it('infer: out-of-range values give 400', async () => {
    const data = Array.from(pixels[0]!);
    data[5] = 300;
    const res = await infer({ inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, 16, 16, 3], data }] });
    expect([res.statusCode, (res.json<{ error: string }>()).error]).toEqual([400, 'inputs[0].data[5] is 300, expected an integer 0..255 (UINT8)']);
  });

  it('an unknown model is a 404 with an error object', async () => {
    for (const res of [await app.inject({ url: '/v2/models/resnet' }), await app.inject({ url: '/v2/models/resnet/ready' }), await infer(imageInput(pixels), 'resnet')]) {
      expect(res.statusCode).toBe(404);
      conforms(oipSchemas.errorResponse, res.json());
      expect((res.json<{ error: string }>()).error).toBe("model 'resnet' is not served here (this server serves 'planet')");
    }
  });
});

describe('Open Inference Protocol V2 before the model is ready', () => {
  it('ready endpoints answer 400 (false), infer answers 503 with an error object', async () => {
    const cold = await buildTestApp({ load: false });
    expect((await cold.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
    const ready = await cold.inject({ url: '/v2/health/ready' });
    expect([ready.statusCode, ready.json()]).toEqual([400, { ready: false }]);
    expect((await cold.inject({ url: '/v2/models/planet/ready' })).json()).toEqual({ name: 'planet', ready: false });
    const res = await cold.inject({ method: 'POST', url: '/v2/models/planet/infer', payload: imageInput(pixels.slice(0, 1)) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    conforms(oipSchemas.errorResponse, res.json());
    await cold.close();
  });
});
