/**
 * Renders a kustomization with `kubectl kustomize` and validates every object against the
 * Kubernetes API schemas of the `kubernetes-models` package (Kubernetes v1.33.0, the OpenAPI
 * schemas compiled to validators). KUBECTL names the kubectl binary (default `kubectl` on PATH).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export const K8S_SCHEMA_VERSION = 'v1.33.0';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export type Probe = { ok: true; path: string; version: string } | { ok: false; reason: string };

type ModelClass = new (data: unknown) => { validate(): void };

const run = promisify(execFile);

export async function probeKubectl(env: NodeJS.ProcessEnv = process.env): Promise<Probe> {
  const path = env.KUBECTL ?? 'kubectl';
  try {
    const { stdout } = await run(path, ['version', '--client']);
    return { ok: true, path, version: stdout.trim().replace(/\n/g, '; ') };
  } catch (error) {
    return { ok: false, reason: `${path} not runnable (${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)})` };
  }
}

export async function render(kubectl: string, dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', dir]);
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as K8sObject);
}

/** Schema errors of every object, `Kind/name: message`; a kind without a schema is an error too. */
export async function validateAll(objects: readonly K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const where = `${object.kind}/${object.metadata.name}`;
    if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(object.apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(object.kind)) {
      problems.push(`${where}: not an apiVersion/kind pair: ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const loaded = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`).catch(() => ({}))) as Record<string, ModelClass | undefined>;
    const model = loaded[object.kind];
    if (model === undefined) {
      problems.push(`${where}: no Kubernetes ${K8S_SCHEMA_VERSION} schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}
