import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

/** One INI section of a DVC config: key → value, keys lower-cased as DVC reads them. */
export type ConfigSection = Record<string, string>;
/** Sections by name as written between brackets, quotes removed: `core`, `remote "storage"`. */
export type DvcConfig = Record<string, ConfigSection>;

/** A bad config file: the message names the file, the line and what is wrong. */
export class DvcConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DvcConfigError';
  }
}

const SECTION = /^\[\s*(?:'(?<quoted>[^']*)'|(?<plain>[^\]]*?))\s*\]$/;
const ENTRY = /^(?<key>[^=]+?)\s*=\s*(?<value>.*)$/;

function unquote(value: string): string {
  const match = /^(["'])(.*)\1$/.exec(value);
  return match?.[2] ?? value;
}

function readSectionName(line: string, file: string, lineNo: number): string | undefined {
  if (!line.startsWith('[')) return undefined;
  const groups = SECTION.exec(line)?.groups;
  const name = groups?.quoted ?? groups?.plain;
  if (name === undefined || name.trim() === '') throw new DvcConfigError(`${file}:${lineNo}: malformed section header ${line}`);
  return name.trim().replace(/\s+/g, ' ');
}

/** Parses DVC's INI dialect (configobj): `[core]`, `['remote "name"']`, indented `key = value`. */
function parseDvcConfig(text: string, file: string): DvcConfig {
  const config: DvcConfig = {};
  let current: ConfigSection | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = readSectionName(line, file, index + 1);
    if (section !== undefined) {
      current = config[section] ?? {};
      config[section] = current;
      return;
    }
    const entry = ENTRY.exec(line)?.groups;
    if (entry?.key === undefined || entry.value === undefined) throw new DvcConfigError(`${file}:${index + 1}: expected "key = value", got ${line}`);
    if (current === undefined) throw new DvcConfigError(`${file}:${index + 1}: "${entry.key}" appears before any [section]`);
    current[entry.key.trim().toLowerCase()] = unquote(entry.value.trim());
  });
  return config;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads `.dvc/config` and then `.dvc/config.local` (which wins), as DVC merges them. */
export async function loadDvcConfig(repoRoot: string): Promise<DvcConfig> {
  const merged: DvcConfig = {};
  for (const name of ['config', 'config.local']) {
    const file = join(repoRoot, '.dvc', name);
    const text = await readOptional(file);
    if (text === undefined) continue;
    for (const [section, values] of Object.entries(parseDvcConfig(text, file))) {
      merged[section] = { ...merged[section], ...values };
    }
  }
  return merged;
}

/** The remote a command uses: its name, URL (relative folders resolved) and other settings. */
export interface RemoteSettings {
  readonly name: string;
  readonly url: string;
  readonly options: ConfigSection;
}

/** Overrides from the environment (or the command line), so CI can point at any remote. */
export interface RemoteOverrides {
  /** Remote name instead of `core.remote` (env `DVC_REMOTE`). */
  readonly remote?: string | undefined;
  /** URL instead of the configured one (env `DVC_REMOTE_URL`), relative folders from the cwd. */
  readonly url?: string | undefined;
}

function isUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

/** URLs and absolute folders as they are; a relative folder resolved against `base`. */
function absoluteUrl(url: string, base: string): string {
  return isUrl(url) || isAbsolute(url) ? url : resolve(base, url);
}

/**
 * Chooses the remote: an explicit URL override wins; otherwise the named (or default) remote of
 * the config. A relative folder in the config is relative to the `.dvc` folder, as in DVC.
 */
export function resolveRemote(config: DvcConfig, repoRoot: string, overrides: RemoteOverrides = {}): RemoteSettings {
  const name = overrides.remote ?? config.core?.remote;
  const options = name === undefined ? {} : (config[`remote "${name}"`] ?? {});
  if (overrides.url !== undefined && overrides.url !== '') {
    return { name: name ?? 'env', url: absoluteUrl(overrides.url, process.cwd()), options };
  }
  if (name === undefined) {
    throw new DvcConfigError(`${join(repoRoot, '.dvc', 'config')}: no default remote ([core] remote = NAME) and no DVC_REMOTE_URL set`);
  }
  const url = options.url;
  if (url === undefined) {
    throw new DvcConfigError(`${join(repoRoot, '.dvc', 'config')}: remote "${name}" has no url (section ['remote "${name}"'])`);
  }
  return { name, url: absoluteUrl(url, join(repoRoot, '.dvc')), options };
}

/** Overrides taken from the process environment. */
export function envOverrides(env: NodeJS.ProcessEnv = process.env): RemoteOverrides {
  return { remote: env.DVC_REMOTE, url: env.DVC_REMOTE_URL };
}
