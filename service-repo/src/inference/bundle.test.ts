import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanTempDirs, tempDir, tinyBundle } from '../../test/helpers/app.js';
import { buildTinyOnnx } from '../../test/helpers/tiny-onnx.js';
import { BundleError, readBundle, sha256Hex } from './bundle.js';
import { OnnxModel } from './onnx-model.js';

afterAll(cleanTempDirs);

/** A copy of the tiny bundle with `change` applied to its files. */
async function variant(change: (dir: string) => void): Promise<string> {
  const dir = join(tempDir(), 'bundle');
  cpSync((await tinyBundle()).dir, dir, { recursive: true });
  change(dir);
  return dir;
}

/** The fields of model.json these tests change (loosely typed: they write wrong values on purpose). */
interface CardJson {
  schema?: string;
  version?: string;
  labels: string[];
  thresholds: Record<string, number>;
  input: { size: unknown; resize: unknown };
  onnx: { sha256: string };
}

function editCard(dir: string, edit: (card: CardJson) => void): void {
  const file = join(dir, 'model.json');
  const card = JSON.parse(readFileSync(file, 'utf8')) as CardJson;
  edit(card);
  writeFileSync(file, JSON.stringify(card));
}

async function problems(dir: string): Promise<readonly string[]> {
  try {
    await OnnxModel.load(await readBundle(dir), { threads: 1 });
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    expect((error as Error).message).toContain(`model bundle ${dir} is refused:`);
    return (error as BundleError).problems;
  }
  throw new Error('bundle was accepted');
}

describe('readBundle + OnnxModel.load', () => {
  it('accepts the tiny bundle and runs it', async () => {
    const bundle = await readBundle((await tinyBundle()).dir);
    expect(bundle.card.input.size).toBe(16);
    expect(bundle.golden.length).toBeGreaterThanOrEqual(8);
    const model = await OnnxModel.load(bundle, { threads: 1 });
    const [p] = await model.run([new Uint8Array(16 * 16 * 3)]);
    expect(p).toHaveLength(17);
    await model.release();
  });

  it('names a missing file', async () => {
    expect(await problems(await variant((d) => { rmSync(join(d, 'golden.json')); }))).toEqual(['golden.json is missing']);
  });

  it('names a file that is not JSON', async () => {
    const found = await problems(await variant((d) => { writeFileSync(join(d, 'model.json'), '{"schema": '); }));
    expect(found[0]).toMatch(/^model\.json is not valid JSON \(/);
  });

  it('lists schema problems with their JSON path', async () => {
    const found = await problems(await variant((d) => { editCard(d, (c) => { c.schema = 'planet-model-card/9'; delete c.version; c.input.size = 'big'; }); }));
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^model\.json: \/schema: /),
      expect.stringMatching(/^model\.json: \/version: /),
      expect.stringMatching(/^model\.json: \/input\/size: /),
    ]));
  });

  it('refuses labels out of order and missing thresholds', async () => {
    const found = await problems(await variant((d) => { editCard(d, (c) => { c.labels = [...c.labels].reverse(); delete c.thresholds.water; }); }));
    expect(found).toEqual([
      expect.stringMatching(/^model\.json: labels must be the 17 Planet tags in order/),
      'model.json: thresholds missing for water',
    ]);
  });

  it('refuses an unknown resize kernel and a chain that does not end at the input size', async () => {
    const found = await problems(await variant((d) => { editCard(d, (c) => { c.input.resize = [{ to: 8, kernel: 'lanczos3' }]; }); }));
    expect(found).toEqual([
      "model.json: input.resize[0].kernel 'lanczos3' is not supported (supported: area)",
      'model.json: input.resize must end at input.size 16, ends at 8',
    ]);
  });

  it('refuses a model.onnx whose sha256 differs from the card', async () => {
    const found = await problems(await variant((d) => { writeFileSync(join(d, 'model.onnx'), buildTinyOnnx({ size: 16, seed: 7 })); }));
    expect(found).toEqual([expect.stringMatching(/^model\.onnx: sha256 [0-9a-f]{64} does not match model\.json onnx\.sha256 [0-9a-f]{64}$/)]);
  });

  it('refuses a golden file with too few samples or wrong lengths', async () => {
    const found = await problems(await variant((d) => {
      const golden = JSON.parse(readFileSync(join(d, 'golden.json'), 'utf8')) as { probabilities: number[] }[];
      golden[0]!.probabilities.pop();
      writeFileSync(join(d, 'golden.json'), JSON.stringify(golden.slice(0, 3)));
    }));
    expect(found).toEqual([
      'golden.json: has 3 samples, the contract asks for at least 8',
      expect.stringMatching(/^golden\.json: \[0\] .*: probabilities has 16 values, expected 17$/),
    ]);
  });

  it('checks input and output names, types and shapes on the loaded graph', async () => {
    const withGraph = (onnx: Uint8Array): Promise<string> => variant((d) => {
      writeFileSync(join(d, 'model.onnx'), onnx);
      editCard(d, (c) => { c.onnx.sha256 = sha256Hex(onnx); });
    });
    expect(await problems(await withGraph(buildTinyOnnx({ size: 16, inputName: 'pixels' })))).toEqual([
      'model.onnx: inputs are [pixels], the contract says exactly [image]',
    ]);
    expect(await problems(await withGraph(buildTinyOnnx({ size: 16, outputName: 'scores' })))).toEqual([
      'model.onnx: outputs are [scores], the contract says exactly [probabilities]',
    ]);
    expect(await problems(await withGraph(buildTinyOnnx({ size: 8 })))).toEqual([
      'model.onnx: image has shape [N, 8, 8, 3], the contract says [N, 16, 16, 3] (N dynamic)',
    ]);
  });

  it('refuses bytes that ONNX Runtime cannot load', async () => {
    const junk = new TextEncoder().encode('not a protobuf at all');
    const dir = await variant((d) => {
      writeFileSync(join(d, 'model.onnx'), junk);
      editCard(d, (c) => { c.onnx.sha256 = sha256Hex(junk); });
    });
    expect((await problems(dir))[0]).toMatch(/^model\.onnx cannot be loaded by ONNX Runtime/);
  });
});
