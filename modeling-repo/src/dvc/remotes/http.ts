import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { objectPath } from '../cache.js';
import type { ConfigSection } from '../config.js';
import { joinUrl, RemoteError, type Remote } from './remote.js';

const HTTP_OK_MIN = 200;
const HTTP_OK_MAX = 299;
const HTTP_NOT_FOUND = 404;
const HTTP_SERVER_ERROR = 500;
/** DVC's HTTP remote retries 5 times with a short exponential backoff; so do we. */
const ATTEMPTS = 5;
const BACKOFF_MS = 100;
const REQUEST_TIMEOUT_MS = 300_000;

/** Settings of an `http(s)://` remote, from its config section and the environment. */
export interface HttpRemoteOptions {
  readonly headers: Record<string, string>;
  /** DVC's `method` option: the verb used to upload (POST unless configured). */
  readonly method: string;
  readonly timeoutMs: number;
}

/**
 * Reads DVC's HTTP remote options: `auth = basic` with `user`/`password`, or `auth = custom` with
 * `custom_auth_header`/`password`, and `method`. `DVC_REMOTE_USER`/`DVC_REMOTE_PASSWORD` in the
 * environment fill in credentials that should not live in a committed file.
 */
export function httpOptions(options: ConfigSection, env: NodeJS.ProcessEnv = process.env): HttpRemoteOptions {
  const user = env.DVC_REMOTE_USER ?? options.user;
  const password = env.DVC_REMOTE_PASSWORD ?? options.password;
  const auth = options.auth ?? (user !== undefined && password !== undefined ? 'basic' : undefined);
  return { headers: authHeaders(auth, user, password, options), method: (options.method ?? 'POST').toUpperCase(), timeoutMs: REQUEST_TIMEOUT_MS };
}

function authHeaders(auth: string | undefined, user: string | undefined, password: string | undefined, options: ConfigSection): Record<string, string> {
  if (auth === undefined) return {};
  if (auth === 'basic') {
    if (user === undefined || password === undefined) throw new RemoteError("HTTP 'basic' authentication requires both 'user' and 'password'");
    return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
  }
  if (auth === 'custom') {
    const header = options.custom_auth_header;
    if (header === undefined || password === undefined) throw new RemoteError("HTTP 'custom' authentication requires both 'custom_auth_header' and 'password'");
    return { [header.toLowerCase()]: password };
  }
  throw new RemoteError(`HTTP auth method '${auth}' is not supported (use basic or custom)`);
}

function isOk(status: number): boolean {
  return status >= HTTP_OK_MIN && status <= HTTP_OK_MAX;
}

/** An HTTP(S) remote as DVC speaks to it: HEAD to check, GET to read, POST (by default) to write. */
export class HttpRemote implements Remote {
  constructor(readonly url: string, private readonly options: HttpRemoteOptions) {}

  async has(md5: string): Promise<boolean> {
    const response = await this.request('HEAD', md5);
    if (response.status === HTTP_NOT_FOUND) return false;
    if (isOk(response.status)) return true;
    throw this.failure('HEAD', md5, response.status);
  }

  async upload(md5: string, file: string): Promise<void> {
    const body = await readFile(file);
    const response = await this.request(this.options.method, md5, body);
    if (!isOk(response.status)) throw this.failure(this.options.method, md5, response.status);
  }

  async download(md5: string): Promise<Uint8Array> {
    const response = await this.request('GET', md5);
    if (!isOk(response.status)) {
      throw this.failure('GET', md5, response.status, response.status === HTTP_NOT_FOUND ? 'object not found (was it pushed?)' : undefined);
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  private failure(method: string, md5: string, status: number, reason?: string): RemoteError {
    return new RemoteError(`${method} ${joinUrl(this.url, objectPath(md5))}: HTTP ${status}${reason === undefined ? '' : `: ${reason}`}`);
  }

  /** Retries network errors and 5xx answers with exponential backoff; other answers are final. */
  private async request(method: string, md5: string, body?: Uint8Array): Promise<Response> {
    const target = joinUrl(this.url, objectPath(md5));
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      if (attempt > 0) await sleep(BACKOFF_MS * 2 ** (attempt - 1));
      try {
        const headers = body === undefined ? this.options.headers : { ...this.options.headers, 'content-type': 'application/octet-stream' };
        const response = await fetch(target, { method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs) });
        if (response.status < HTTP_SERVER_ERROR) return response;
        await response.arrayBuffer();
        lastError = this.failure(method, md5, response.status);
      } catch (error) {
        lastError = error;
      }
    }
    const cause = (lastError as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    const reason = cause?.code ?? cause?.message ?? (lastError instanceof Error ? lastError.message : String(lastError));
    throw new RemoteError(`${method} ${target}: failed after ${ATTEMPTS} attempts: ${reason}`, { cause: lastError });
  }
}
