/**
 * Reading and checking GitLab CI files without a GitLab: JSON-schema validation against GitLab's
 * own CI schema (gitlab-ci.schema.json beside this file), plus the checks GitLab makes when it creates
 * a pipeline that a schema cannot express (stages, needs, extends, files and npm scripts named).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type Yaml = Record<string, unknown>;

const HERE = dirname(fileURLToPath(import.meta.url));
/** The package root (modeling-repo/) and the repository root above it. */
export const PACKAGE_ROOT = join(HERE, '..', '..');
export const REPO_ROOT = join(PACKAGE_ROOT, '..');

/** Top-level keys that are settings, not jobs. */
const GLOBAL_KEYS = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'spec']);
const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

export function loadYaml(file: string): Yaml {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a mapping at the top level`);
  return doc as Yaml;
}

let compiled: ReturnType<Ajv['compile']> | undefined;

/** Schema errors of a parsed CI file, as `path: message` lines (empty when valid). */
export function schemaErrors(config: unknown): string[] {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(join(HERE, 'gitlab-ci.schema.json'), 'utf8')) as object;
    // The same options gitlab-ci-local uses with this schema.
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, validateFormats: false, strictTypes: false, keywords: ['markdownDescription'] });
    compiled = ajv.compile(schema);
  }
  if (compiled(config)) return [];
  return (compiled.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'} (${e.schemaPath})`);
}

const isRecord = (v: unknown): v is Yaml => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A scalar from YAML as text; a mapping or list where text belongs is a mistake worth naming. */
function asText(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`expected a scalar, got ${JSON.stringify(v)}`);
}

export interface PackageJson {
  readonly scripts?: Record<string, string>;
}

/** Names of the jobs (not settings, not hidden templates). */
export function jobNames(config: Yaml): string[] {
  return Object.keys(config).filter((k) => !GLOBAL_KEYS.has(k) && !k.startsWith('.'));
}

/** Deep merge as GitLab's `extends` does: hashes merge key by key, anything else is replaced. */
function merge(base: Yaml, over: Yaml): Yaml {
  const out: Yaml = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isRecord(prev) && isRecord(value) ? merge(prev, value) : value;
  }
  return out;
}

/** A job with its `extends` chain applied (the templates must exist). */
export function resolveJob(config: Yaml, name: string, seen: string[] = []): Yaml {
  const job = config[name];
  if (!isRecord(job)) throw new Error(`${name}: not a job mapping`);
  if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(' -> ')}`);
  let merged: Yaml = {};
  for (const parent of [job.extends ?? []].flat().map(asText)) {
    if (!(parent in config)) throw new Error(`${name}: extends unknown '${parent}'`);
    merged = merge(merged, resolveJob(config, parent, [...seen, name]));
  }
  const own = Object.fromEntries(Object.entries(job).filter(([key]) => key !== 'extends'));
  return merge(merged, own);
}

/** Every `script`/`before_script` line of a resolved job, flattened. */
export function scriptLines(job: Yaml): string[] {
  return ['before_script', 'script', 'after_script'].flatMap((key) => [job[key] ?? []].flat().map(asText));
}

/** `needs` problems of one job: unknown jobs, or jobs of a later stage. */
function needsProblems(config: Yaml, name: string, stages: string[]): string[] {
  const job = resolveJob(config, name);
  const stageOf = (j: Yaml): number => stages.indexOf(typeof j.stage === 'string' ? j.stage : 'test');
  return [job.needs ?? []].flat().flatMap((need) => {
    const needed = isRecord(need) ? asText(need.job) : asText(need);
    if (!jobNames(config).includes(needed)) return [`${name}: needs unknown job '${needed}'`];
    return stageOf(resolveJob(config, needed)) > stageOf(job) ? [`${name}: needs '${needed}' from a later stage`] : [];
  });
}

/** Problems of one job: its extends chain, its stage, its needs and the npm scripts it runs. */
function jobProblems(config: Yaml, name: string, stages: string[], packageJson?: PackageJson): string[] {
  let job: Yaml;
  try {
    job = resolveJob(config, name);
  } catch (error) {
    return [(error as Error).message];
  }
  const stage = typeof job.stage === 'string' ? job.stage : 'test';
  const problems = stages.includes(stage) ? [] : [`${name}: stage '${stage}' is not in stages [${stages.join(', ')}]`];
  problems.push(...needsProblems(config, name, stages));
  if (packageJson !== undefined) problems.push(...missingNpmScripts(name, job, packageJson));
  return problems;
}

/** The problems GitLab would report when creating a pipeline from this file (empty when none). */
export function pipelineProblems(config: Yaml, packageJson?: PackageJson): string[] {
  const stages = Array.isArray(config.stages) ? config.stages.map(asText) : DEFAULT_STAGES;
  return jobNames(config).flatMap((name) => jobProblems(config, name, stages, packageJson));
}

/** `npm run X` / `npm test` lines whose script the package does not define. */
function missingNpmScripts(name: string, job: Yaml, packageJson: PackageJson): string[] {
  const scripts = packageJson.scripts ?? {};
  return scriptLines(job).flatMap((line) => {
    const match = /\bnpm (?:run ([\w:.-]+)|(test))\b/.exec(line);
    const script = match?.[1] ?? match?.[2];
    return script === undefined || script in scripts ? [] : [`${name}: '${line}' runs npm script '${script}', which package.json lacks`];
  });
}

/** Paths (relative to the repository root) a trigger job includes. */
export function triggerIncludes(job: Yaml): string[] {
  const trigger = job.trigger;
  if (!isRecord(trigger)) return [];
  return [trigger.include ?? []].flat().map((item) => (isRecord(item) ? asText(item.local) : asText(item)));
}

export function repoFileExists(path: string): boolean {
  return existsSync(join(REPO_ROOT, path.replace(/^\//, '')));
}
