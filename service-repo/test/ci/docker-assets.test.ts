/**
 * Static checks of the Dockerfile, .dockerignore and the deploy files: what the image and the deploy
 * promise (see docs/docker.md), checked without a container engine. The integration tests prove the
 * same promises by running the image.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { interpolate, runSpecs } from '../../deploy/compose-run.mjs';
import { PACKAGE_ROOT } from './pipeline.js';

const read = (...path: string[]): string => readFileSync(join(PACKAGE_ROOT, ...path), 'utf8');

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** The instructions of the last stage (the image that ships). */
function finalStage(lines: string[]): string[] {
  const from = lines.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0);
  return lines.slice(from.at(-1));
}

describe('Dockerfile', () => {
  const lines = instructions(read('Dockerfile'));
  const runtime = finalStage(lines);

  it('is multi-stage on node:20-bookworm-slim, building in one stage and running in another', () => {
    expect(lines).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime']);
    expect(lines.join('\n')).toMatch(/RUN npm ci /);
    expect(lines.join('\n')).toMatch(/npm run build .*npm prune --omit=dev/);
    expect(runtime.join('\n')).not.toMatch(/npm (ci|install)/);
  });

  it('runs as a non-root user with the model bundle taken from the build context', () => {
    expect(runtime.filter((l) => l.startsWith('USER '))).toEqual(['USER node']);
    expect(runtime).toContain('ARG MODEL_BUNDLE_DIR=models');
    expect(runtime).toContain('COPY ${MODEL_BUNDLE_DIR}/model.onnx ${MODEL_BUNDLE_DIR}/model.json ${MODEL_BUNDLE_DIR}/golden.json /app/models/');
    expect(runtime.join('\n')).toMatch(/MODEL_DIR=\/app\/models/);
  });

  it('has a HEALTHCHECK on /health/ready that needs no curl', () => {
    const health = runtime.find((l) => l.startsWith('HEALTHCHECK '));
    expect(health).toMatch(/CMD \["node", "-e", ".*\/health\/ready/);
    expect(health).not.toMatch(/curl|wget/);
  });

  it('keeps dependencies, build output and scratch out of the context, but not the test bundle', () => {
    const ignore = read('.dockerignore').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore).toEqual(expect.arrayContaining(['node_modules', 'dist', 'test', '.cache/*', '!.cache/integration-bundle']));
    expect(ignore).not.toContain('models');
  });
});

describe('deploy/compose.yaml and its docker run equivalent', () => {
  const compose = read('deploy', 'compose.yaml');

  it('interpolates ${VAR}, ${VAR:-default} and ${VAR-default} as compose does', () => {
    const env = { SET: 'a', EMPTY: '' };
    expect(interpolate('${SET} ${UNSET} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $$HOME', env)).toBe('a  d  d $HOME');
  });

  it('runs the image read-only, as PID 1 behind an init, on the configured port', () => {
    const [spec] = runSpecs(compose, { PLANET_SVC_IMAGE: 'planet-svc:e2e', PLANET_SVC_PORT: '18080' });
    expect(spec?.image).toBe('planet-svc:e2e');
    expect(spec?.container).toBe('planet-svc');
    const args = spec?.args.join(' ') ?? '';
    for (const flag of ['--read-only', '--init', '--tmpfs /tmp:size=64m', '--publish 18080:8080', '--cap-drop ALL', '--restart unless-stopped', '--stop-timeout 30']) {
      expect(args).toContain(flag);
    }
  });

  it('uses the documented defaults when nothing is set', () => {
    const [spec] = runSpecs(compose, {});
    expect(spec?.image).toBe('registry.gitlab.com/planet/planet-svc:latest');
    expect(spec?.args.join(' ')).toContain('--publish 8080:8080');
    const doc = parse(compose) as { services: Record<string, unknown> };
    expect(Object.keys(doc.services)).toEqual(['planet-svc']);
  });

  it('refuses a compose key it cannot translate, naming service and key', () => {
    expect(() => runSpecs('services:\n  web:\n    image: x\n    privileged: true\n', {})).toThrow(/service web: key 'privileged' is not supported/);
    expect(() => runSpecs('services:\n  web:\n    ports: ["1:1"]\n', {})).toThrow(/service web: 'image' is required/);
    expect(() => runSpecs('services:\n  web:\n    image: x\n    stop_grace_period: soon\n', {})).toThrow(/stop_grace_period: expected a duration/);
  });
});
