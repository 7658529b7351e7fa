import { afterAll, describe, expect, it } from '@jest/globals';
import { cleanTempDirs, tinyBundle } from '../../test/helpers/app.js';
import { readBundle } from './bundle.js';
import { OnnxModel } from './onnx-model.js';

afterAll(cleanTempDirs);

const SIZE = 16;
const image = (value: number): Uint8Array => new Uint8Array(SIZE * SIZE * 3).fill(value);

describe('OnnxModel (session on its own thread)', () => {
  it('answers concurrent batches each with its own results', async () => {
    const model = await OnnxModel.load(await readBundle((await tinyBundle()).dir), { threads: 1 });
    const [alone] = await model.run([image(200)]);
    // Three batches posted at once, in a mixed order: every answer must match its own request.
    const [a, b, c] = await Promise.all([model.run([image(0), image(200)]), model.run([image(200)]), model.run([image(0)])]);
    expect(Array.from(a[1]!)).toEqual(Array.from(alone!));
    expect(Array.from(b[0]!)).toEqual(Array.from(alone!));
    expect(Array.from(c[0]!)).toEqual(Array.from(a[0]!));
    expect(Array.from(a[0]!)).not.toEqual(Array.from(alone!));
    await model.release();
  });

  it('refuses an image of the wrong size, and runs after release, saying why', async () => {
    const model = await OnnxModel.load(await readBundle((await tinyBundle()).dir), { threads: 1 });
    await expect(model.run([new Uint8Array(5)])).rejects.toThrow('image 0 has 5 bytes, the model takes 768');
    await model.release();
    await expect(model.run([image(0)])).rejects.toThrow('inference thread has stopped');
  });
});
