import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseHocon, type HoconObject, type HoconValue } from './hocon.js';

/** Where a ClearML server lives and the credentials to use it. */
export interface ClearMLSettings {
  readonly apiHost: string;
  readonly webHost: string;
  readonly filesHost: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Where the settings came from, for the start-of-run message. */
  readonly source: string;
}

const HOSTED_API = /^(https?:\/\/)api\./;
const SELF_HOSTED_API_PORT = /:8008(\/|$)/;

/**
 * The web and files servers beside an API server, as ClearML derives them: `api.` becomes `app.`
 * and `files.` on the hosted service, ports 8080 and 8081 next to a self-hosted 8008.
 */
export function deriveHosts(apiHost: string): { webHost: string; filesHost: string } {
  const api = apiHost.replace(/\/+$/, '');
  if (HOSTED_API.test(api)) return { webHost: api.replace(HOSTED_API, '$1app.'), filesHost: api.replace(HOSTED_API, '$1files.') };
  if (SELF_HOSTED_API_PORT.test(api)) return { webHost: api.replace(SELF_HOSTED_API_PORT, ':8080$1'), filesHost: api.replace(SELF_HOSTED_API_PORT, ':8081$1') };
  return { webHost: api, filesHost: api };
}

function text(value: HoconValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function child(value: HoconValue | undefined): HoconObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

/** The `api { ... }` block of a clearml.conf. */
interface ConfFields {
  apiHost?: string | undefined;
  webHost?: string | undefined;
  filesHost?: string | undefined;
  accessKey?: string | undefined;
  secretKey?: string | undefined;
}

export function readClearMLConf(confText: string, file: string): ConfFields {
  const api = child(parseHocon(confText, file).api);
  const credentials = child(api.credentials);
  return {
    apiHost: text(api.api_server) ?? text(api.host),
    webHost: text(api.web_server),
    filesHost: text(api.files_server),
    accessKey: text(credentials.access_key),
    secretKey: text(credentials.secret_key),
  };
}

function confPath(env: NodeJS.ProcessEnv): string {
  return env.CLEARML_CONFIG_FILE ?? join(env.HOME ?? homedir(), 'clearml.conf');
}

function readConfFile(path: string): ConfFields {
  try {
    return readClearMLConf(readFileSync(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/**
 * ClearML settings from `CLEARML_API_HOST`, `CLEARML_API_ACCESS_KEY`, `CLEARML_API_SECRET_KEY`
 * (plus optional `CLEARML_WEB_HOST`, `CLEARML_FILES_HOST`), each falling back to the clearml.conf
 * at `CLEARML_CONFIG_FILE` or `~/clearml.conf`. Undefined when host or credentials are missing:
 * tracking is then off and the run keeps only its local records.
 */
export function clearmlSettings(env: NodeJS.ProcessEnv = process.env): ClearMLSettings | undefined {
  const fromEnv: ConfFields = {
    apiHost: env.CLEARML_API_HOST,
    webHost: env.CLEARML_WEB_HOST,
    filesHost: env.CLEARML_FILES_HOST,
    accessKey: env.CLEARML_API_ACCESS_KEY,
    secretKey: env.CLEARML_API_SECRET_KEY,
  };
  const complete = (fields: ConfFields): boolean => fields.apiHost !== undefined && fields.accessKey !== undefined && fields.secretKey !== undefined;
  const path = confPath(env);
  const conf = complete(fromEnv) ? {} : readConfFile(path);
  const merged = Object.fromEntries(
    (Object.keys(fromEnv) as (keyof ConfFields)[]).map((key) => [key, fromEnv[key] ?? conf[key]]),
  ) as ConfFields;
  if (merged.apiHost === undefined || merged.accessKey === undefined || merged.secretKey === undefined) return undefined;
  const derived = deriveHosts(merged.apiHost);
  const trim = (url: string): string => url.replace(/\/+$/, '');
  return {
    apiHost: trim(merged.apiHost),
    webHost: trim(merged.webHost ?? derived.webHost),
    filesHost: trim(merged.filesHost ?? derived.filesHost),
    accessKey: merged.accessKey,
    secretKey: merged.secretKey,
    source: complete(fromEnv) ? 'environment (CLEARML_API_*)' : path,
  };
}
