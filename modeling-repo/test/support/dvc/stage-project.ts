import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A small dvc.yaml in the shape of the package's own: vars file, file and folder deps, cached and uncached outs. */
export const STAGE_YAML = `vars:
  - configs/data.yaml
stages:
  train:
    cmd:
      - npm run train -- data=\${data}
      - npm run dvc:collect -- runs=pipeline/runs out=pipeline/out
    deps:
      - src
      - \${data}/labels.csv
      - \${data}/chips
    params:
      - configs/params.yaml:
    outs:
      - pipeline/runs:
          cache: false
      - pipeline/out/bundle
    metrics:
      - pipeline/out/metrics.json:
          cache: false
`;

const MODEL_REPEATS = 50;

/** The workspace files of that project after the stage has run (deps, params, outs). */
export const STAGE_FILES: Readonly<Record<string, string>> = {
  'configs/data.yaml': 'data: input\n',
  'configs/params.yaml': 'train:\n  lr: 0.001\n  epochs: 2\nseed: 42\n',
  'src/main.ts': 'export {};\n',
  'src/lib/util.ts': 'export const one = 1;\n',
  'input/labels.csv': 'image_name,tags\ntrain_0,clear\n',
  'input/chips/train_0.jpg': 'not really a jpeg',
  'pipeline/runs/run-1/run.json': '{"status":"completed"}\n',
  'pipeline/out/bundle/model.onnx': 'onnx bytes '.repeat(MODEL_REPEATS),
  'pipeline/out/bundle/model.json': '{"metrics":{"f2":0.9}}\n',
  'pipeline/out/bundle/sub/golden.json': '[]\n',
  'pipeline/out/metrics.json': '{"f2":0.9}\n',
};

export async function writeFiles(root: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** A temp DVC project with that dvc.yaml whose default remote is the folder `remote`. */
export async function stageProject(remote: string, files: Readonly<Record<string, string>> = STAGE_FILES): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dvc-stage-'));
  await writeFiles(root, { ...files, 'dvc.yaml': STAGE_YAML, '.dvc/config': `[core]\n    remote = store\n['remote "store"']\n    url = ${remote}\n` });
  return root;
}
