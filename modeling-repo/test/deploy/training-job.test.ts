/**
 * deploy/k8s/training, rendered by `kubectl kustomize` and validated against the Kubernetes API
 * schemas (kubernetes-models, Kubernetes v1.33.0); then what the Indexed Job promises: one member
 * per index, each with its own seed through JOB_COMPLETION_INDEX, the data read-only, nothing
 * written outside its volumes, and the member script the image runs. Skips, saying why, when
 * kubectl is absent, unless REQUIRE_KUBECTL is set (CI sets it).
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { K8S_SCHEMA_VERSION, type K8sObject, probeKubectl, render, validateAll } from './k8s-validate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRAINING = join(ROOT, 'deploy', 'k8s', 'training');
const MEMBER_SCRIPT = join(ROOT, 'deploy', 'train-member.sh');

const kubectl = await probeKubectl();
if (!kubectl.ok) {
  if (['1', 'true', 'yes'].includes((process.env.REQUIRE_KUBECTL ?? '').toLowerCase())) throw new Error(`REQUIRE_KUBECTL is set but ${kubectl.reason}`);
  process.stderr.write(`SKIPPED training Job validation (test/deploy): ${kubectl.reason}; set KUBECTL or install kubectl 1.32+\n`);
}
const maybe = kubectl.ok ? describe : describe.skip;

interface Container {
  image: string;
  args?: string[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface JobSpec {
  completionMode: string;
  completions: number;
  parallelism: number;
  template: { spec: { restartPolicy: string; securityContext?: Record<string, unknown>; containers: Container[] } };
}

maybe('deploy/k8s/training', () => {
  let objects: K8sObject[] = [];
  const load = async (): Promise<K8sObject[]> => {
    if (objects.length === 0) objects = await render(kubectl.ok ? kubectl.path : 'kubectl', TRAINING);
    return objects;
  };
  const job = async (): Promise<JobSpec> => {
    const jobs = (await load()).filter((o) => o.kind === 'Job');
    expect(jobs).toHaveLength(1);
    return (jobs[0] as unknown as { spec: JobSpec }).spec;
  };

  it(`renders and every object validates against the Kubernetes ${K8S_SCHEMA_VERSION} schemas`, async () => {
    const rendered = await load();
    expect(rendered.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Job', 'PersistentVolumeClaim']);
    expect(await validateAll(rendered)).toEqual([]);
  });

  it('the validator refuses a Job whose fields have the wrong type', async () => {
    const broken = structuredClone((await load()).find((o) => o.kind === 'Job')!);
    (broken.spec as { completions: unknown }).completions = 'five';
    expect((await validateAll([broken])).join('\n')).toMatch(/completions must be integer/);
  });

  it('is an Indexed Job, one member per index, members in parallel, never restarted in place', async () => {
    const spec = await job();
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBe(spec.completions);
    expect(spec.completions).toBeGreaterThan(1);
    expect(spec.template.spec.restartPolicy).toBe('Never');
  });

  it('runs the training image non-root with a read-only root, the data mounted read-only', async () => {
    const { template } = await job();
    const [train] = template.spec.containers;
    expect(train?.image).toMatch(/planet-train:/);
    expect(template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(train?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const mounts = Object.fromEntries((train?.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    expect(mounts['/data']?.readOnly).toBe(true);
    expect(mounts['/work']?.readOnly).not.toBe(true);
  });

  it('the member script refuses an index that is not a number, before training anything', async () => {
    const work = await mkdtemp(join(tmpdir(), 'member-'));
    try {
      const failure = await promisify(execFile)('bash', [MEMBER_SCRIPT], { env: { ...process.env, JOB_COMPLETION_INDEX: 'x', WORK_DIR: work } })
        .then(() => undefined, (error: unknown) => error as { code: number; stderr: string });
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toMatch(/JOB_COMPLETION_INDEX must be a number, got 'x'/);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('member i trains with seed BASE_SEED + i in its own folders, then pushes its bundle', async () => {
    const work = await mkdtemp(join(tmpdir(), 'member-'));
    try {
      const [train = '', ...rest] = await memberCalls(work, { JOB_COMPLETION_INDEX: '3', BASE_SEED: '100' });
      const push = rest.join('\n');
      const member = join(work, 'member-3');
      expect(train.split(' ')).toEqual(expect.arrayContaining([
        'exp=smoke', 'seed=103', '++data.splitSeed=100', 'experiment=smoke-member-3', `runs.dir=${member}/runs`, `data.cacheDir=${member}/cache/chips`, 'export.publishDir=', 'train.epochs=1',
      ]));
      expect(push).toMatch(/^--input-type=module -e /);
      expect(push).toMatch(/await import\(process\.env\.APP \+ '\/dist\/dvc\/cli\.js'\)/);
      expect(push).toMatch(/modelPush\(process\.cwd\(\), \['from=' \+ process\.env\.BUNDLE\]/);
      expect(train).not.toMatch(/data\.folds/);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('with FOLDS=K, member i trains without fold i; an index beyond the folds is refused', async () => {
    const work = await mkdtemp(join(tmpdir(), 'member-'));
    try {
      const [train = ''] = await memberCalls(work, { JOB_COMPLETION_INDEX: '2', FOLDS: '5' });
      expect(train.split(' ')).toEqual(expect.arrayContaining(['data.folds.count=5', 'data.folds.index=2', '++data.splitSeed=42']));
      const failure = await promisify(execFile)('bash', [MEMBER_SCRIPT], { env: { ...process.env, JOB_COMPLETION_INDEX: '5', FOLDS: '5', WORK_DIR: work } })
        .then(() => undefined, (error: unknown) => error as { code: number; stderr: string });
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toMatch(/FOLDS must be a number of folds >= 2 above JOB_COMPLETION_INDEX \(5\), got '5'/);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

/** Runs the member script with a stand-in for node on PATH; returns the command lines node was called with. */
async function memberCalls(work: string, extraEnv: Readonly<Record<string, string>>): Promise<string[]> {
  // The stand-in records each call; a training call leaves a bundle folder.
  const bin = join(work, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'node'), [
    '#!/usr/bin/env bash',
    'printf "%s\\n" "$*" >> "$WORK_DIR/calls"',
    'for a in "$@"; do case "$a" in runs.dir=*) mkdir -p "${a#runs.dir=}/run-1/bundle" ;; esac; done',
  ].join('\n'), { mode: 0o755 });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, WORK_DIR: work, APP_DIR: ROOT, ...extraEnv };
  await promisify(execFile)('bash', [MEMBER_SCRIPT, 'EXPERIMENT=smoke', 'train.epochs=1'], { env, cwd: work }).catch(() => undefined);
  return (await readFile(join(work, 'calls'), 'utf8')).trim().split('\n');
}
