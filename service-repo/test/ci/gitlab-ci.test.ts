import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipNotice } from '../helpers/skip-notice.js';
import {
  PACKAGE_ROOT, REPO_ROOT, jobNames, loadYaml, pipelineProblems, repoFileExists, resolveJob, schemaErrors, scriptLines,
  triggerIncludes, type Yaml,
} from './pipeline.js';

const CHILD = join(PACKAGE_ROOT, '.gitlab-ci.yml');
const PARENT = join(REPO_ROOT, '.gitlab-ci.yml');
const packageJson = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const hasParent = existsSync(PARENT);
if (!hasParent) skipNotice('parent pipeline checks (test/ci/gitlab-ci.test.ts)', `${PARENT} not found (service-repo outside its repository)`);
const maybeParent = hasParent ? it : it.skip;

const child = loadYaml(CHILD);
const job = (name: string): Yaml => resolveJob(child, name);
const text = (value: unknown): string => JSON.stringify(value);

describe('GitLab CI schema (validator)', () => {
  it('rejects what GitLab rejects: unknown keywords, bad values, a job without script', () => {
    expect(schemaErrors({ build: { stage: 'build', scrip: ['x'] } }).length).toBeGreaterThan(0);
    expect(schemaErrors({ build: { script: ['x'], when: 'sometimes' } }).join('\n')).toMatch(/when/);
    expect(schemaErrors({ t: { trigger: { include: 'a.yml', strategy: 'mirror' } } }).length).toBeGreaterThan(0);
    expect(schemaErrors({ build: { script: 'echo ok', rules: [{ changes: { paths: ['a/**'], compare_to: 'refs/heads/main' } }] } })).toEqual([]);
  });

  it('finds pipeline-creation errors the schema cannot see', () => {
    const bad = { stages: ['lint'], a: { stage: 'test', script: 'x' }, b: { stage: 'lint', needs: ['zzz'], script: 'npm run nope' }, c: { extends: '.gone', script: 'x' } };
    const problems = pipelineProblems(bad, { scripts: {} }).join('\n');
    expect(problems).toMatch(/a: stage 'test' is not in stages/);
    expect(problems).toMatch(/b: needs unknown job 'zzz'/);
    expect(problems).toMatch(/npm script 'nope'/);
    expect(problems).toMatch(/c: extends unknown '.gone'/);
  });
});

describe('service-repo/.gitlab-ci.yml (child pipeline)', () => {
  it('is valid against GitLab\'s CI schema and creates a pipeline', () => {
    expect(schemaErrors(child)).toEqual([]);
    expect(pipelineProblems(child, packageJson)).toEqual([]);
    expect(child.stages).toEqual(['lint', 'test', 'model', 'build', 'deploy']);
    expect(jobNames(child).sort()).toEqual(['build', 'deploy', 'deploy:k8s', 'lint', 'model', 'test:integration', 'test:unit']);
  });

  it('caches npm keyed on the lockfile, inside the project', () => {
    const cache = job('lint').cache as { key: { files: string[] }; paths: string[] };
    expect(cache.key.files).toEqual(['service-repo/package-lock.json']);
    expect(repoFileExists(cache.key.files[0]!)).toBe(true);
    expect(cache.paths).toEqual(['service-repo/.npm/']);
    expect((child.variables as Yaml).npm_config_cache).toBe('$CI_PROJECT_DIR/service-repo/.npm');
  });

  it('lints with eslint and the type checker, and tests unit and integration separately', () => {
    expect(scriptLines(job('lint'))).toEqual(expect.arrayContaining(['cd service-repo', 'npm run lint', 'npm run typecheck']));
    expect(scriptLines(job('test:unit'))).toContain('npm run test:unit -- --ci');
    expect(scriptLines(job('test:integration'))).toContain('npm run test:integration -- --ci');
  });

  it('runs the integration tests against docker:dind with testcontainers settings', () => {
    const integration = job('test:integration');
    expect(text(integration.services)).toMatch(/docker:\d+-dind/);
    expect(integration.variables).toMatchObject({
      DOCKER_HOST: 'tcp://docker:2375', DOCKER_TLS_CERTDIR: '', TESTCONTAINERS_HOST_OVERRIDE: 'docker', TESTCONTAINERS_RYUK_DISABLED: 'true',
      REQUIRE_DOCKER: 'true',
    });
  });

  it('builds with the model pulled from DVC and pushes :<short sha> and :latest', () => {
    expect(scriptLines(job('model'))).toContain('npm run model:pull');
    expect(text(job('model').artifacts)).toContain('service-repo/$MODEL_BUNDLE_DIR/');
    const build = job('build');
    expect(text(build.services)).toMatch(/dind/);
    expect(build.needs).toEqual(expect.arrayContaining([{ job: 'model', artifacts: true }]));
    expect((child.variables as Yaml).SERVICE_IMAGE).toBe('$CI_REGISTRY_IMAGE');
    expect((build.variables as Yaml).IMAGE_TAG).toBe('$SERVICE_IMAGE:$CI_COMMIT_SHORT_SHA');
    const script = scriptLines(build).join('\n');
    expect(script).toMatch(/docker login .*"\$CI_REGISTRY"/);
    expect(script).toMatch(/--build-arg MODEL_BUNDLE_DIR="\$MODEL_BUNDLE_DIR"/);
    expect(script).toContain('docker push "$IMAGE_TAG"');
    expect(script).toContain('docker push "$SERVICE_IMAGE:latest"');
    expect(script).toMatch(/--read-only/);
  });

  it('deploys by hand from the default branch over SSH with the compose file kept in the repo', () => {
    const deploy = job('deploy');
    expect(deploy.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual', allow_failure: true }]);
    expect(deploy.environment).toEqual({ name: 'production', url: '$DEPLOY_URL' });
    const script = scriptLines(deploy).join('\n');
    expect(script).toContain('scp service-repo/deploy/compose.yaml service-repo/deploy/deploy.sh');
    expect(script).toMatch(/PLANET_SVC_IMAGE='\$SERVICE_IMAGE:\$CI_COMMIT_SHORT_SHA'.* bash deploy\.sh/);
    expect(existsSync(join(PACKAGE_ROOT, 'deploy', 'compose.yaml'))).toBe(true);
    expect(existsSync(join(PACKAGE_ROOT, 'deploy', 'deploy.sh'))).toBe(true);
  });
});

describe('.gitlab-ci.yml (service child pipeline): Kubernetes', () => {
  it('validates the manifests in the unit tests with a kubectl it installs, failing when kubectl is missing', () => {
    const unit = job('test:unit');
    expect(unit.variables).toMatchObject({ REQUIRE_KUBECTL: 'true' });
    expect(scriptLines(unit).join('\n')).toMatch(/npx tsx scripts\/install-kubectl\.ts "\$KUBECTL_VERSION" "\$KUBECTL"[\s\S]*npm run test:unit/);
    expect(existsSync(join(PACKAGE_ROOT, 'scripts', 'install-kubectl.ts'))).toBe(true);
  });

  it('deploys by hand from the default branch with kubectl apply -k and waits for the rollout', () => {
    const deploy = job('deploy:k8s');
    expect(deploy.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual', allow_failure: true }]);
    expect(deploy.needs).toEqual(['build']);
    const script = scriptLines(deploy).join('\n');
    expect(script).toContain('cd service-repo/deploy/k8s');
    expect(script).toMatch(/"\$K8S_OVERLAY" "\$SERVICE_IMAGE" "\$CI_COMMIT_SHORT_SHA" > overlays\/release\/kustomization\.yaml/);
    expect(script).toMatch(/kubectl apply -k overlays\/release\n.*rollout status deployment\/planet-svc/);
    expect(existsSync(join(PACKAGE_ROOT, 'deploy', 'k8s', 'overlays', (deploy.variables as Yaml).K8S_OVERLAY as string, 'kustomization.yaml'))).toBe(true);
  });
});

describe('.gitlab-ci.yml (parent pipeline)', () => {
  maybeParent('is valid and triggers this package\'s child pipeline only when the package changes', () => {
    const parent = loadYaml(PARENT);
    expect(schemaErrors(parent)).toEqual([]);
    expect(pipelineProblems(parent)).toEqual([]);
    const service = resolveJob(parent, 'service');
    expect(service.trigger).toEqual({ include: 'service-repo/.gitlab-ci.yml', strategy: 'depend' });
    for (const include of triggerIncludes(service)) expect(repoFileExists(include)).toBe(true);
    const rules = service.rules as Yaml[];
    expect(rules).toContainEqual({ changes: { paths: ['service-repo/**/*', '.gitlab-ci.yml'], compare_to: 'refs/heads/main' } });
    expect(rules).toContainEqual({ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', changes: ['service-repo/**/*', '.gitlab-ci.yml'] });
  });
});
