// @ts-check
/* global process, console */
/**
 * The `docker run` equivalent of `docker compose -f compose.yaml up -d | down | config` for hosts
 * without the compose plugin (deploy.sh uses it only then). It reads the same compose file, applies
 * the same `${VAR}` / `${VAR:-default}` interpolation, and maps each key to its `docker run` flag.
 * A key it does not know stops it with a message naming the service and the key, so the file and
 * this script cannot drift apart silently.
 *
 *   node compose-run.mjs -f compose.yaml up|down|config
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

/** Interpolates `${VAR}`, `${VAR:-default}` and `${VAR-default}` as compose does; `$$` is a literal `$`. */
export function interpolate(text, env) {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (match, name, op, def) => {
    if (match === '$$') return '$';
    const value = env[name];
    if (op === ':-') return value === undefined || value === '' ? def : value;
    if (op === '-') return value ?? def;
    return value ?? '';
  });
}

/** @type {Record<string, (value: unknown) => string[]>} key -> docker run flags */
const FLAGS = {
  image: () => [],
  container_name: (v) => ['--name', String(v)],
  restart: (v) => ['--restart', String(v)],
  init: (v) => (v === true ? ['--init'] : []),
  stop_grace_period: (v) => ['--stop-timeout', String(seconds(String(v)))],
  read_only: (v) => (v === true ? ['--read-only'] : []),
  tmpfs: (v) => list(v).flatMap((t) => ['--tmpfs', t]),
  cap_drop: (v) => list(v).flatMap((c) => ['--cap-drop', c]),
  cap_add: (v) => list(v).flatMap((c) => ['--cap-add', c]),
  security_opt: (v) => list(v).flatMap((o) => ['--security-opt', o]),
  mem_limit: (v) => ['--memory', String(v)],
  ports: (v) => list(v).flatMap((p) => ['--publish', p]),
  environment: (v) => Object.entries(asRecord(v)).flatMap(([k, val]) => ['--env', `${k}=${val === null ? '' : String(val)}`]),
  logging: (v) => {
    const { driver, options } = /** @type {{ driver?: string, options?: Record<string, unknown> }} */ (asRecord(v));
    const opts = Object.entries(options ?? {}).flatMap(([k, val]) => ['--log-opt', `${k}=${String(val)}`]);
    return [...(driver === undefined ? [] : ['--log-driver', driver]), ...opts];
  },
};

/** @param {string} text compose durations such as 30s, 1m30s, 2m */
function seconds(text) {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (match === null || text === '') throw new Error(`stop_grace_period: expected a duration like 30s or 1m30s, got '${text}'`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** @param {unknown} v @returns {string[]} */
function list(v) {
  if (!Array.isArray(v)) throw new Error(`expected a list, got ${JSON.stringify(v)}`);
  return v.map(String);
}

/** @param {unknown} v @returns {Record<string, unknown>} */
function asRecord(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`expected a mapping, got ${JSON.stringify(v)}`);
  return /** @type {Record<string, unknown>} */ (v);
}

/**
 * The `docker run` arguments of every service in a compose file, after interpolation.
 * @param {string} text the compose file's text
 * @param {Record<string, string | undefined>} env
 * @returns {{ name: string, container: string, image: string, args: string[] }[]}
 */
export function runSpecs(text, env) {
  const doc = asRecord(parse(interpolate(text, env)));
  return Object.entries(asRecord(doc.services)).map(([name, raw]) => {
    const service = asRecord(raw);
    const args = Object.entries(service).flatMap(([key, value]) => {
      const flag = FLAGS[key];
      if (flag === undefined) throw new Error(`service ${name}: key '${key}' is not supported by compose-run.mjs (add it there)`);
      try {
        return flag(value);
      } catch (error) {
        throw new Error(`service ${name}, ${key}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    if (typeof service.image !== 'string' || service.image === '') throw new Error(`service ${name}: 'image' is required`);
    const container = typeof service.container_name === 'string' ? service.container_name : `${String(doc.name ?? 'compose')}-${name}-1`;
    return { name, container, image: service.image, args: container === service.container_name ? args : ['--name', container, ...args] };
  });
}

/** @param {string[]} args */
function docker(args, allowFailure = false) {
  try {
    execFileSync(process.env.DOCKER ?? 'docker', args, { stdio: ['ignore', 'inherit', allowFailure ? 'ignore' : 'inherit'] });
  } catch (error) {
    if (!allowFailure) throw error;
  }
}

function main() {
  const argv = process.argv.slice(2);
  const fileAt = argv.indexOf('-f');
  const file = fileAt >= 0 ? argv[fileAt + 1] : 'compose.yaml';
  const command = argv.filter((_, i) => i !== fileAt && i !== fileAt + 1)[0];
  if (file === undefined || command === undefined) throw new Error('usage: node compose-run.mjs -f compose.yaml up|down|config|pull');
  const specs = runSpecs(readFileSync(file, 'utf8'), process.env);
  for (const spec of specs) {
    if (command === 'config') console.log(['docker', 'run', '--detach', ...spec.args, spec.image].join(' '));
    else if (command === 'pull') docker(['pull', spec.image]);
    else if (command === 'down') docker(['rm', '--force', spec.container], true);
    else if (command === 'up') {
      // Like `compose up -d` after a change: the old container goes, a new one starts from the same values.
      docker(['rm', '--force', spec.container], true);
      docker(['run', '--detach', ...spec.args, spec.image]);
    } else throw new Error(`unknown command '${command}': expected up, down, config or pull`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    main();
  } catch (error) {
    console.error(`compose-run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
