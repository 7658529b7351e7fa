/**
 * Renders kustomizations with `kubectl kustomize` and validates every object they produce: built-in
 * kinds against the Kubernetes API schemas of the `kubernetes-models` package (Kubernetes v1.33.0,
 * the OpenAPI schemas compiled to validators), KServe kinds against KServe's CRD schema (vendored in
 * test/fixtures/kserve, see its README).
 *
 * Environment: KUBECTL names the kubectl binary (default `kubectl` on PATH).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

export const K8S_SCHEMA_VERSION = 'v1.33.0';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export type Probe = { ok: true; path: string; version: string } | { ok: false; reason: string };

const run = promisify(execFile);
const RENDER_BUFFER_BYTES = 16 * 1024 * 1024;

/** Whether kubectl answers, with its client and kustomize versions. */
export async function probeKubectl(env: NodeJS.ProcessEnv = process.env): Promise<Probe> {
  const path = env.KUBECTL ?? 'kubectl';
  try {
    const { stdout } = await run(path, ['version', '--client']);
    return { ok: true, path, version: stdout.trim().replace(/\n/g, '; ') };
  } catch (error) {
    return { ok: false, reason: `${path} not runnable (${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)})` };
  }
}

/** `kubectl kustomize DIR`, parsed: every object of the rendered stream, in order. */
export async function render(kubectl: string, dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', dir], { maxBuffer: RENDER_BUFFER_BYTES });
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: rendered YAML does not parse: ${doc.errors[0]?.message ?? ''}`);
    return doc.toJS() as K8sObject;
  }).filter((object) => typeof object === 'object');
}

/** The kubernetes-models module of a built-in kind: `apps/v1` + `Deployment` -> `kubernetes-models/apps/v1/Deployment`. */
function builtinModule(apiVersion: string, kind: string): string {
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    throw new Error(`not an apiVersion/kind pair: ${apiVersion} ${kind}`);
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** Schema errors of a built-in object; an unknown apiVersion/kind is one error too. */
async function validateBuiltin(object: K8sObject): Promise<string[]> {
  let model: ModelClass | undefined;
  try {
    const loaded = (await import(builtinModule(object.apiVersion, object.kind))) as Record<string, ModelClass | undefined>;
    model = loaded[object.kind];
  } catch {
    model = undefined;
  }
  if (model === undefined) return [`no Kubernetes ${K8S_SCHEMA_VERSION} schema for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

type Schema = Record<string, unknown>;

/**
 * Structural CRD schemas drop unknown fields, and `kubectl apply` (strict field validation, the
 * default) refuses them: an object schema with properties and no other say allows no other keys.
 */
function strictFields(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictFields);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Schema = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === 'enum' ? value : strictFields(value)]));
  const open = copy['x-kubernetes-preserve-unknown-fields'] === true || 'additionalProperties' in copy;
  if (copy.properties !== undefined && copy.type === 'object' && !open) copy.additionalProperties = false;
  return copy;
}

interface CrdSchemaFile {
  group: string;
  kind: string;
  version: string;
  openAPIV3Schema: Schema;
}

export interface CrdValidator {
  readonly apiVersion: string;
  readonly kind: string;
  validate(object: K8sObject): string[];
}

const describeError = (error: ErrorObject): string => `${error.instancePath === '' ? '/' : error.instancePath} ${error.message ?? error.keyword}${error.keyword === 'additionalProperties' ? ` (${(error.params as { additionalProperty: string }).additionalProperty})` : ''}`;

/** A validator for the CRD schema file written as in test/fixtures/kserve/README.md. */
function crdValidator(file: string): CrdValidator {
  const crd = JSON.parse(readFileSync(file, 'utf8')) as CrdSchemaFile;
  // OpenAPI's format names (int32, int64, byte, date-time, quantity...) are informative here; the
  // x-kubernetes-* keywords are extensions that ajv is told to ignore (strict: false).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const check: ValidateFunction = ajv.compile(strictFields(crd.openAPIV3Schema) as Schema);
  const apiVersion = `${crd.group}/${crd.version}`;
  return {
    apiVersion,
    kind: crd.kind,
    validate(object) {
      if (object.apiVersion !== apiVersion || object.kind !== crd.kind) return [`expected ${apiVersion} ${crd.kind}, got ${object.apiVersion} ${object.kind}`];
      return check(object) ? [] : (check.errors ?? []).map(describeError);
    },
  };
}

/** Validates every object: CRD kinds by their validator, the rest by kubernetes-models. */
export async function validateAll(objects: K8sObject[], crds: readonly CrdValidator[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const crd = crds.find((c) => c.apiVersion === object.apiVersion && c.kind === object.kind);
    const errors = crd === undefined ? await validateBuiltin(object) : crd.validate(object);
    problems.push(...errors.map((error) => `${object.kind}/${object.metadata.name}: ${error}`));
  }
  return problems;
}

/** The KServe validators of test/fixtures/kserve. */
export function kserveValidators(fixtures: string): CrdValidator[] {
  return ['inferenceservice', 'servingruntime'].map((name) => crdValidator(join(fixtures, `${name}.crd-schema.json`)));
}
