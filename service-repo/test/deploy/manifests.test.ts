/**
 * Every kustomization under deploy/k8s (each overlay, and the KServe objects), rendered by
 * `kubectl kustomize` and validated: built-in kinds against the Kubernetes API schemas
 * (kubernetes-models, Kubernetes v1.33.0), KServe kinds against KServe's CRD schemas. Then what the
 * manifests promise about this service: probes on its real health routes, a grace period that
 * covers the preStop pause and the service's own drain, settings the service accepts.
 * Skips, saying why, when kubectl is absent, unless REQUIRE_KUBECTL is set (CI sets it).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { skipNotice } from '../helpers/skip-notice.js';
import { K8S_SCHEMA_VERSION, type K8sObject, kserveValidators, probeKubectl, render, validateAll } from './k8s-validate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'kserve');
const OVERLAYS = readdirSync(join(K8S, 'overlays')).sort();

const kubectl = await probeKubectl();
if (!kubectl.ok) {
  if (['1', 'true', 'yes'].includes((process.env.REQUIRE_KUBECTL ?? '').toLowerCase())) throw new Error(`REQUIRE_KUBECTL is set but ${kubectl.reason}`);
  skipNotice('Kubernetes manifest validation (test/deploy)', `${kubectl.reason}; set KUBECTL or install kubectl 1.32+`);
} else {
  process.stderr.write(`manifests: kubectl ${kubectl.version}; Kubernetes schemas ${K8S_SCHEMA_VERSION} (kubernetes-models)\n`);
}
const maybe = kubectl.ok ? describe : describe.skip;
const kubectlPath = kubectl.ok ? kubectl.path : 'kubectl';
const crds = kserveValidators(FIXTURES);

interface Container {
  name: string;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: Record<string, unknown>;
  env?: { name: string; value?: string }[];
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
  containers: Container[];
}

const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const only = (objects: K8sObject[], kind: string): K8sObject => {
  const found = byKind(objects, kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const podSpec = (deployment: K8sObject): PodSpec => (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
/** The service settings: the generated ConfigMap planet-svc-config-<hash>. */
const serviceConfig = (objects: K8sObject[]): { data: Record<string, string> } => {
  const found = byKind(objects, 'ConfigMap').filter((o) => o.metadata.name.startsWith('planet-svc-config-'));
  expect(found).toHaveLength(1);
  return found[0] as unknown as { data: Record<string, string> };
};
const clone = (object: K8sObject): K8sObject => structuredClone(object);

maybe('deploy/k8s manifests', () => {
  it('has a dev and a production overlay', () => {
    expect(OVERLAYS).toEqual(expect.arrayContaining(['dev', 'production']));
  });

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    let objects: K8sObject[] = [];
    const load = async (): Promise<K8sObject[]> => {
      if (objects.length === 0) objects = await render(kubectlPath, join(K8S, 'overlays', overlay));
      return objects;
    };

    it(`renders and every object validates against the Kubernetes ${K8S_SCHEMA_VERSION} schemas`, async () => {
      const rendered = await load();
      expect(rendered.map((o) => o.kind).sort()).toEqual(expect.arrayContaining(
        ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service'],
      ));
      expect(await validateAll(rendered, crds)).toEqual([]);
      expect(new Set(rendered.map((o) => o.metadata.namespace)).size).toBe(1);
    });

    it('probes the service\'s real health routes and leaves time for the preStop pause and the drain', async () => {
      const rendered = await load();
      const spec = podSpec(only(rendered, 'Deployment'));
      const server = spec.containers.find((c) => c.name === 'planet-svc')!;
      expect(server.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(server.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(server.startupProbe?.httpGet?.path).toBe('/health/live');
      const config = serviceConfig(rendered);
      const pause = Number(server.lifecycle?.preStop?.exec?.command.at(-1));
      const drain = Number(config.data.SHUTDOWN_TIMEOUT_MS) / 1000;
      expect(pause).toBeGreaterThan(0);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(pause + drain);
    });

    it('runs non-root, read-only, without privilege escalation or capabilities', async () => {
      const spec = podSpec(only(await load(), 'Deployment'));
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true });
      for (const container of spec.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    });

    it('configures the service with settings it accepts', async () => {
      const rendered = await load();
      const config = serviceConfig(rendered);
      const server = podSpec(only(rendered, 'Deployment')).containers.find((c) => c.name === 'planet-svc')!;
      const env = Object.fromEntries((server.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
      expect(() => loadConfig({ ...config.data, ...env })).not.toThrow();
    });
  });

  describe('KServe', () => {
    it('renders an InferenceService on our ServingRuntime, protocol v2, valid against KServe\'s CRD schemas', async () => {
      const objects = await render(kubectlPath, join(K8S, 'kserve'));
      expect(await validateAll(objects, crds)).toEqual([]);
      const runtime = only(objects, 'ServingRuntime') as unknown as { metadata: { name: string }; spec: { protocolVersions: string[]; containers: { image: string }[] } };
      const isvc = only(objects, 'InferenceService') as unknown as { spec: { predictor: { model: { runtime: string; protocolVersion: string } } } };
      expect(runtime.spec.protocolVersions).toEqual(['v2']);
      expect(runtime.spec.containers[0]?.image).toMatch(/planet-svc:/);
      expect(isvc.spec.predictor.model).toMatchObject({ runtime: runtime.metadata.name, protocolVersion: 'v2' });
    });
  });

  describe('the validators refuse what the API server would', () => {
    it('a built-in object with a wrongly typed field, or of a kind the schemas do not know', async () => {
      const objects = await render(kubectlPath, join(K8S, 'overlays', 'production'));
      const deployment = clone(only(objects, 'Deployment'));
      (deployment.spec as { replicas: unknown }).replicas = 'three';
      expect((await validateAll([deployment], crds)).join('\n')).toMatch(/replicas must be integer/);
      const unknown = { ...clone(deployment), apiVersion: 'apps/v1', kind: 'Deploymant' };
      expect(await validateAll([unknown], crds)).toEqual([expect.stringMatching(/no Kubernetes .* schema for apps\/v1 Deploymant/)]);
    });

    it('a KServe object with an unknown field or a missing required one', async () => {
      const objects = await render(kubectlPath, join(K8S, 'kserve'));
      const isvc = clone(only(objects, 'InferenceService'));
      (isvc.spec as { predictor: Record<string, unknown> }).predictor.protocolVersionn = 'v2';
      expect((await validateAll([isvc], crds)).join('\n')).toMatch(/protocolVersionn/);
      const runtime = clone(only(objects, 'ServingRuntime'));
      delete (runtime.spec as { containers?: unknown }).containers;
      expect((await validateAll([runtime], crds)).join('\n')).toMatch(/containers/);
    });
  });
});
