import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PACKAGE_ROOT, REPO_ROOT, jobNames, loadYaml, pipelineProblems, repoFileExists, resolveJob, schemaErrors, scriptLines,
  triggerIncludes, type Yaml,
} from './pipeline.js';

const CHILD = join(PACKAGE_ROOT, '.gitlab-ci.yml');
const PARENT = join(REPO_ROOT, '.gitlab-ci.yml');
const packageJson = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const hasParent = existsSync(PARENT);
if (!hasParent) console.log(`skipping parent pipeline checks: ${PARENT} not found (modeling-repo outside its repository)`);
const maybeParent = hasParent ? it : it.skip;

const child = loadYaml(CHILD);
const job = (name: string): Yaml => resolveJob(child, name);

describe('GitLab CI schema (validator)', () => {
  it('rejects what GitLab rejects: unknown keywords, bad values, a bad trigger', () => {
    expect(schemaErrors({ test: { stage: 'test', scrip: ['x'] } }).length).toBeGreaterThan(0);
    expect(schemaErrors({ test: { script: ['x'], when: 'sometimes' } }).join('\n')).toMatch(/when/);
    expect(schemaErrors({ t: { trigger: { include: 'a.yml', strategy: 'mirror' } } }).length).toBeGreaterThan(0);
    expect(schemaErrors({ test: { script: 'echo ok', cache: { key: { files: ['package-lock.json'] }, paths: ['.npm/'] } } })).toEqual([]);
  });

  it('finds pipeline-creation errors the schema cannot see', () => {
    const bad = { stages: ['lint'], a: { stage: 'test', script: 'x' }, b: { stage: 'lint', needs: ['zzz'], script: 'npm run nope' } };
    const problems = pipelineProblems(bad, { scripts: {} }).join('\n');
    expect(problems).toMatch(/a: stage 'test' is not in stages/);
    expect(problems).toMatch(/b: needs unknown job 'zzz'/);
    expect(problems).toMatch(/npm script 'nope'/);
  });
});

describe('modeling-repo/.gitlab-ci.yml (child pipeline)', () => {
  it('is valid against GitLab\'s CI schema and creates a pipeline', () => {
    expect(schemaErrors(child)).toEqual([]);
    expect(pipelineProblems(child, packageJson)).toEqual([]);
    expect(child.stages).toEqual(['lint', 'test']);
    expect(jobNames(child).sort()).toEqual(['lint', 'test', 'test-webgpu']);
  });

  it('caches npm keyed on the lockfile, inside the project', () => {
    for (const name of ['lint', 'test', 'test-webgpu']) {
      const cache = job(name).cache as { key: { files: string[] }; paths: string[] };
      expect(cache.key.files).toEqual(['modeling-repo/package-lock.json']);
      expect(repoFileExists(cache.key.files[0]!)).toBe(true);
      expect(cache.paths).toEqual(['modeling-repo/.npm/']);
    }
    expect((child.variables as Yaml).npm_config_cache).toBe('$CI_PROJECT_DIR/modeling-repo/.npm');
  });

  it('lints with eslint and the type checker and runs the unit tests on Node 20', () => {
    expect((child.default as Yaml).image).toBe('node:20-bookworm-slim');
    expect(scriptLines(job('lint'))).toEqual(['cd modeling-repo', 'npm ci --prefer-offline --no-audit --no-fund', 'npm run lint', 'npm run typecheck']);
    expect(scriptLines(job('test'))).toContain('npm test -- --ci');
  });

  it('runs the webgpu suite on the software Vulkan driver, failing (not skipping) without it', () => {
    const webgpu = job('test-webgpu');
    expect(scriptLines(webgpu)).toEqual(['cd modeling-repo', 'npm ci --prefer-offline --no-audit --no-fund', 'bash ../.ci/install-lavapipe.sh', 'npm run test:webgpu -- --ci']);
    expect((webgpu.variables as Yaml).REQUIRE_WEBGPU).toBe('true');
    expect(repoFileExists('.ci/install-lavapipe.sh')).toBe(true);
  });
});

describe('.gitlab-ci.yml (parent pipeline)', () => {
  maybeParent('is valid and triggers this package\'s child pipeline only when the package changes', () => {
    const parent = loadYaml(PARENT);
    expect(schemaErrors(parent)).toEqual([]);
    expect(pipelineProblems(parent)).toEqual([]);
    const modeling = resolveJob(parent, 'modeling');
    expect(modeling.trigger).toEqual({ include: 'modeling-repo/.gitlab-ci.yml', strategy: 'depend' });
    for (const include of triggerIncludes(modeling)) expect(repoFileExists(include)).toBe(true);
    const rules = modeling.rules as Yaml[];
    expect(rules).toContainEqual({ changes: { paths: ['modeling-repo/**/*', '.gitlab-ci.yml'], compare_to: 'refs/heads/main' } });
    expect(rules).toContainEqual({ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', changes: ['modeling-repo/**/*', '.gitlab-ci.yml'] });
  });
});
