/**
 * What a plain `dvc pull` (or `npm run dvc:pull`, `npm run dvc:push`) collects in this package: the
 * released model's pointers in models/ and nothing else. The DVC example pointers under
 * test/fixtures/dvc/ (one tracks a folder) are test data; without `/test/fixtures/` in .dvcignore,
 * `dvc:push` refused to run and a real `dvc pull` would try to fetch them.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectPointers } from '../src/dvc/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe("the package's own DVC pointers", () => {
  it('are the released model in models/, test fixtures left out', async () => {
    expect(existsSync(join(ROOT, 'test/fixtures/dvc/data.dvc'))).toBe(true);
    const found = (await projectPointers(ROOT)).map((p) => relative(ROOT, p).split('\\').join('/'));
    expect(found).toEqual(['models/golden.json.dvc', 'models/model.json.dvc', 'models/model.onnx.dvc']);
  });
});
