import { describe, expect, it } from '@jest/globals';
import { RequestError } from '../errors/index.js';
import { parseImageTensor } from './oip.js';
import type { InferRequest } from '../schemas/index.js';

const spec = { inputName: 'image', outputName: 'probabilities', size: 2, maxBatch: 4 };
const request = (input: Partial<InferRequest['inputs'][number]>, extra: Partial<InferRequest> = {}): InferRequest => ({
  inputs: [{ name: 'image', datatype: 'UINT8', shape: [1, 2, 2, 3], data: Array.from({ length: 12 }, (_, i) => i), ...input }],
  ...extra,
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).statusCode).toBe(400);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseImageTensor', () => {
  it('splits flat row-major data into one array per image', () => {
    const data = Array.from({ length: 24 }, (_, i) => i);
    const images = parseImageTensor(request({ shape: [2, 2, 2, 3], data }), spec);
    expect(images.map((a) => Array.from(a))).toEqual([data.slice(0, 12), data.slice(12)]);
  });

  it('accepts nested data in the tensor shape', () => {
    const nested = [[[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]]];
    expect(Array.from(parseImageTensor(request({ data: nested }), spec)[0]!)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('names what is wrong', () => {
    expect(message(() => parseImageTensor(request({ name: 'pixels' }), spec))).toBe("unknown input 'pixels': this model takes one input 'image'");
    expect(message(() => parseImageTensor(request({ datatype: 'FP32' }), spec))).toBe('inputs[0].datatype is FP32, expected UINT8');
    expect(message(() => parseImageTensor(request({ shape: [1, 3, 3, 3] }), spec))).toBe('inputs[0].shape is [1, 3, 3, 3], expected [N, 2, 2, 3] with 1 <= N <= 4');
    expect(message(() => parseImageTensor(request({ shape: [5, 2, 2, 3] }), spec))).toMatch(/^inputs\[0\]\.shape is \[5, 2, 2, 3\]/);
    expect(message(() => parseImageTensor(request({ data: [1, 2, 3] }), spec))).toBe('inputs[0].data has 3 elements, the shape gives 12');
    expect(message(() => parseImageTensor(request({ data: new Array<number>(13).fill(0) }), spec))).toBe('inputs[0].data has more than the 12 elements the shape gives');
    expect(message(() => parseImageTensor(request({ data: [...new Array<number>(11).fill(0), 256] }), spec))).toBe('inputs[0].data[11] is 256, expected an integer 0..255 (UINT8)');
    expect(message(() => parseImageTensor(request({ data: [0.5, ...new Array<number>(11).fill(0)] }), spec))).toBe('inputs[0].data[0] is 0.5, expected an integer 0..255 (UINT8)');
    expect(message(() => parseImageTensor(request({ data: ['1', ...new Array<number>(11).fill(0)] }), spec))).toBe('inputs[0].data[0] is "1", expected an integer 0..255 (UINT8)');
    expect(message(() => parseImageTensor(request({ data: [[[[[0]]]]] }), spec))).toBe('inputs[0].data is nested deeper than the tensor shape');
    expect(message(() => parseImageTensor(request({}, { outputs: [{ name: 'logits' }] }), spec))).toBe("unknown output 'logits': this model has one output 'probabilities'");
    expect(message(() => parseImageTensor({ inputs: [] }, spec))).toBe("expected exactly one input 'image', got 0");
    expect(message(() => parseImageTensor(request({}, { outputs: [{ name: 'probabilities', parameters: { classification: 3 } }] }), spec))).toMatch(/classification extension is not supported/);
  });

  describe('binary tensor data', () => {
    const binaryInput = (size: unknown): Partial<InferRequest['inputs'][number]> => ({ data: undefined, parameters: { binary_data_size: size } });
    const bytes = Buffer.from(Array.from({ length: 12 }, (_, i) => 100 + i));

    it('reads the tensor from the bytes after the JSON header', () => {
      const [image] = parseImageTensor(request(binaryInput(12)), spec, bytes);
      expect(Array.from(image!)).toEqual(Array.from(bytes));
    });

    it('refuses sizes and bodies that disagree, naming the field', () => {
      expect(message(() => parseImageTensor(request(binaryInput(12)), spec))).toMatch(/binary_data_size is set but the request has no Inference-Header-Content-Length/);
      expect(message(() => parseImageTensor(request(binaryInput(11)), spec, bytes.subarray(0, 11)))).toBe('inputs[0].parameters.binary_data_size is 11, the shape gives 12 UINT8 bytes');
      expect(message(() => parseImageTensor(request(binaryInput(12)), spec, bytes.subarray(0, 8)))).toBe('inputs[0].parameters.binary_data_size is 12 but only 8 binary bytes follow the JSON header');
      expect(message(() => parseImageTensor(request(binaryInput(12)), spec, Buffer.concat([bytes, bytes])))).toMatch(/^12 binary bytes after the JSON header belong to no tensor/);
      expect(message(() => parseImageTensor(request(binaryInput('12')), spec, bytes))).toBe('inputs[0].parameters.binary_data_size is "12", expected a byte count');
      expect(message(() => parseImageTensor(request({ parameters: { binary_data_size: 12 } }), spec, bytes))).toBe('inputs[0] has both data and parameters.binary_data_size: send one');
      expect(message(() => parseImageTensor(request({ data: undefined }), spec))).toBe('inputs[0] has neither data nor parameters.binary_data_size');
      expect(message(() => parseImageTensor(request({}), spec, bytes))).toMatch(/^12 binary bytes after the JSON header belong to no tensor/);
    });
  });
});
