import type { ClearMLSettings } from './clearml-config.js';

const HTTP_UNAUTHORIZED = 401;
const HTTP_TOO_MANY = 429;
const HTTP_SERVER_ERROR = 500;
const RESULT_OK = 200;

/** A failed ClearML call; `retryable` when trying again later may succeed (network, 5xx, 429). */
export class ClearMLCallError extends Error {
  constructor(readonly endpoint: string, message: string, readonly retryable: boolean) {
    super(`${endpoint}: ${message}`);
    this.name = 'ClearMLCallError';
  }
}

/** The envelope every ClearML API answer has. */
interface ApiAnswer {
  meta?: { result_code?: number; result_msg?: string };
  data?: Record<string, unknown>;
}

/** The part of an `events.add_batch` answer we read. */
export interface BatchResult {
  readonly added: number;
  readonly errors: number;
}

/**
 * A thin client of ClearML's REST API: `POST {api}/{service}.{action}` with a JSON body, the
 * token from `auth.login` (HTTP Basic with the access and secret keys) as a Bearer header, and
 * uploads to the files server. Each request has its own timeout so a slow server cannot hang it.
 */
export class ClearMLApi {
  private token: string | undefined;
  private readonly stopper = new AbortController();

  constructor(private readonly settings: ClearMLSettings, private readonly timeoutMs: number) {}

  /** `auth.login`: trades the key pair for a token. */
  async login(): Promise<void> {
    const basic = Buffer.from(`${this.settings.accessKey}:${this.settings.secretKey}`).toString('base64');
    const data = await this.post('auth.login', JSON.stringify({}), { authorization: `Basic ${basic}`, 'content-type': 'application/json' });
    if (typeof data.token !== 'string') throw new ClearMLCallError('auth.login', 'answer has no token', false);
    this.token = data.token;
  }

  /** Calls `service.action` with a JSON body and returns the answer's `data`. */
  async call(endpoint: string, body: object): Promise<Record<string, unknown>> {
    return this.authorized(endpoint, JSON.stringify(body), 'application/json');
  }

  /** `events.add_batch`: one JSON event per line (json-lines), as the SDK streams them. */
  async addBatch(events: readonly object[]): Promise<BatchResult> {
    const body = events.map((event) => JSON.stringify(event)).join('\n');
    const data = await this.authorized('events.add_batch', body, 'application/json-lines');
    return { added: Number(data.added ?? 0), errors: Number(data.errors ?? 0) };
  }

  /**
   * Uploads a file to the files server as the SDK does: a multipart POST to the server's root
   * whose form field is named by the object's path. Returns the object's URL.
   */
  async upload(objectPath: string, bytes: Uint8Array, fileName: string): Promise<string> {
    await this.ensureToken();
    const form = new FormData();
    form.append(objectPath, new Blob([bytes]), fileName);
    const url = `${this.settings.filesHost}/`;
    const response = await this.fetch('files upload', url, { method: 'POST', body: form, headers: this.bearer() });
    if (!response.ok) {
      throw new ClearMLCallError('files upload', `HTTP ${response.status} from ${url}`, response.status >= HTTP_SERVER_ERROR || response.status === HTTP_TOO_MANY);
    }
    return `${this.settings.filesHost}/${objectPath}`;
  }

  /** Abandons requests in flight (used when the tracker gives up at the end of a run). */
  abort(): void {
    this.stopper.abort(new Error('abandoned'));
  }

  private bearer(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }

  private async ensureToken(): Promise<void> {
    if (this.token === undefined) await this.login();
  }

  /** Logs in when needed, and once more when the token has expired (401). */
  private async authorized(endpoint: string, body: string, contentType: string): Promise<Record<string, unknown>> {
    await this.ensureToken();
    try {
      return await this.post(endpoint, body, { ...this.bearer(), 'content-type': contentType });
    } catch (error) {
      if (!(error instanceof ClearMLCallError) || !error.message.includes(`HTTP ${HTTP_UNAUTHORIZED}`)) throw error;
      await this.login();
      return this.post(endpoint, body, { ...this.bearer(), 'content-type': contentType });
    }
  }

  private async fetch(endpoint: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopper.signal]) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? String(error);
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : detail;
      throw new ClearMLCallError(endpoint, `${url}: ${reason}`, true);
    }
  }

  private async post(endpoint: string, body: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
    const url = `${this.settings.apiHost}/${endpoint}`;
    const response = await this.fetch(endpoint, url, { method: 'POST', body, headers });
    const answer = (await response.json().catch(() => ({}))) as ApiAnswer;
    const code = answer.meta?.result_code ?? response.status;
    if (!response.ok || code !== RESULT_OK) {
      const retryable = response.status >= HTTP_SERVER_ERROR || response.status === HTTP_TOO_MANY;
      throw new ClearMLCallError(endpoint, `HTTP ${response.status}: ${answer.meta?.result_msg ?? response.statusText}`, retryable);
    }
    return answer.data ?? {};
  }
}
