import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Busboy } from '@fastify/busboy';
import { Ajv, type ValidateFunction } from 'ajv';
import { REQUEST_SCHEMAS, SCALAR_EVENT } from './clearml-schemas.js';
import { ClearMLState, StateError } from './clearml-state.js';

/** One API call the server received, in arrival order. */
export interface RecordedCall {
  readonly endpoint: string;
  readonly body: unknown;
  readonly status: number;
  readonly error?: string;
}

export interface ClearMLTestServerOptions {
  readonly accessKey?: string;
  readonly secretKey?: string;
  /** Delay before every answer (a slow server). */
  readonly delayMs?: number;
  readonly host?: string;
  readonly port?: number;
  /** Called for every call as it is answered (the demo server prints them). */
  readonly onCall?: (call: RecordedCall, index: number) => void;
}

/** A running local ClearML look-alike: API and web on one port, files server on another. */
export interface ClearMLTestServer {
  readonly apiUrl: string;
  readonly webUrl: string;
  readonly filesUrl: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly calls: RecordedCall[];
  readonly state: ClearMLState;
  /** Environment variables that point a run at this server. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

const HTTP = { ok: 200, badRequest: 400, unauthorized: 401, notFound: 404 } as const;
const VALIDATION_SUBCODE = 12;
const API_VERSION = '2.31';
const TOKEN_BYTES = 24;
const ID_BYTES = 16;

interface Answer {
  readonly status: number;
  readonly data?: Record<string, unknown>;
  readonly message?: string;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers in ClearML's envelope: `{meta: {...result_code...}, data: {...}}`. */
function send(response: ServerResponse, endpoint: string, answer: Answer): void {
  const id = randomBytes(ID_BYTES).toString('hex');
  const meta = {
    id, trx: id,
    endpoint: { name: endpoint, requested_version: API_VERSION, actual_version: REQUEST_SCHEMAS[endpoint]?.version ?? null },
    result_code: answer.status, result_subcode: answer.status === HTTP.badRequest ? VALIDATION_SUBCODE : 0,
    result_msg: answer.message ?? 'OK', error_stack: '', error_data: {},
  };
  response.writeHead(answer.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ meta, data: answer.data ?? {} }));
}

class ApiHandler {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly eventValidator: ValidateFunction;
  private readonly tokens = new Set<string>();

  constructor(private readonly ajv: Ajv, private readonly state: ClearMLState, private readonly keys: { access: string; secret: string }) {
    for (const [endpoint, { schema }] of Object.entries(REQUEST_SCHEMAS)) this.validators.set(endpoint, ajv.compile(schema));
    this.eventValidator = ajv.compile(SCALAR_EVENT);
  }

  private authorized(header: string | undefined, loginOnly: boolean): boolean {
    const basic = `Basic ${Buffer.from(`${this.keys.access}:${this.keys.secret}`).toString('base64')}`;
    if (header === basic) return true;
    return !loginOnly && header?.startsWith('Bearer ') === true && this.tokens.has(header.slice('Bearer '.length));
  }

  /** Parses the body: JSON, or json-lines for `events.add_batch`. */
  private parse(endpoint: string, raw: string): unknown {
    if (endpoint !== 'events.add_batch') return raw.trim() === '' ? {} : JSON.parse(raw);
    return raw.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
  }

  private validate(endpoint: string, body: unknown): string | undefined {
    if (endpoint === 'events.add_batch') {
      const events = body as unknown[];
      const bad = events.findIndex((event) => !this.eventValidator(event));
      return bad < 0 ? undefined : `event ${bad}: ${this.ajv.errorsText(this.eventValidator.errors)}`;
    }
    const validator = this.validators.get(endpoint);
    if (validator === undefined) return undefined;
    return validator(body) ? undefined : this.ajv.errorsText(validator.errors);
  }

  handle(endpoint: string, raw: string, authorization: string | undefined): { answer: Answer; body: unknown } {
    if (!this.validators.has(endpoint) && endpoint !== 'events.add_batch') {
      return { answer: { status: HTTP.notFound, message: `Unable to find endpoint for name ${endpoint} and version ${API_VERSION}` }, body: raw };
    }
    if (!this.authorized(authorization, endpoint === 'auth.login')) {
      return { answer: { status: HTTP.unauthorized, message: 'Unauthorized (invalid credentials)' }, body: raw };
    }
    let body: unknown;
    try {
      body = this.parse(endpoint, raw);
    } catch (error) {
      return { answer: { status: HTTP.badRequest, message: `Invalid JSON: ${(error as Error).message}` }, body: raw };
    }
    const invalid = this.validate(endpoint, body);
    if (invalid !== undefined) return { answer: { status: HTTP.badRequest, message: `Validation error (${invalid})` }, body };
    if (endpoint === 'auth.login') {
      const token = randomBytes(TOKEN_BYTES).toString('hex');
      this.tokens.add(token);
      return { answer: { status: HTTP.ok, data: { token } }, body };
    }
    try {
      return { answer: { status: HTTP.ok, data: this.state.apply(endpoint, body) }, body };
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      return { answer: { status: HTTP.badRequest, message: error.message }, body };
    }
  }
}

async function listen(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return `http://${address.address}:${address.port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });
}

/** Reads a multipart body into (field name, bytes) pairs for its file parts. */
function multipartFiles(request: IncomingMessage): Promise<[string, Buffer][]> {
  return new Promise((resolve, reject) => {
    const parts: Promise<[string, Buffer]>[] = [];
    const parser = Busboy({ headers: request.headers as { 'content-type': string } });
    parser.on('file', (field, stream) => {
      parts.push(new Promise((done, fail) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          done([field, Buffer.concat(chunks)]);
        });
        stream.on('error', fail);
      }));
    });
    parser.on('finish', () => {
      Promise.all(parts).then(resolve, reject);
    });
    parser.on('error', reject);
    request.pipe(parser);
  });
}

/** Stores multipart uploads by form-field name (the object path), as ClearML's files server does. */
async function handleFiles(state: ClearMLState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').replace(/^\/+/, '');
  if (request.method === 'GET') {
    const bytes = state.files.get(path);
    response.writeHead(bytes === undefined ? HTTP.notFound : HTTP.ok).end(bytes);
    return;
  }
  for (const [name, bytes] of await multipartFiles(request)) {
    state.files.set(`${path === '' ? '' : `${path}/`}${name}`, bytes);
  }
  response.writeHead(HTTP.ok, { 'content-type': 'application/json' }).end('{}');
}

/**
 * Starts a local stand-in for a ClearML server on loopback. It implements the calls this package
 * makes, validates every request against clearml-server's schema (see clearml-schemas.ts), keeps
 * projects, tasks, models and files in memory, and records the calls in order.
 */
export async function startClearMLTestServer(options: ClearMLTestServerOptions = {}): Promise<ClearMLTestServer> {
  const keys = { access: options.accessKey ?? 'TESTACCESSKEY', secret: options.secretKey ?? 'test-secret-key' };
  const state = new ClearMLState();
  const calls: RecordedCall[] = [];
  const handler = new ApiHandler(new Ajv({ allErrors: false, strict: false }), state, keys);
  const host = options.host ?? '127.0.0.1';
  const api = createServer((request, response) => {
    void (async () => {
      const endpoint = (request.url ?? '/').replace(/^\/+/, '').replace(/^v[\d.]+\//, '');
      if (request.method === 'GET') {
        response.writeHead(HTTP.ok, { 'content-type': 'text/plain' }).end(calls.map((call, i) => `${i + 1}. ${call.endpoint} ${call.status}`).join('\n'));
        return;
      }
      const raw = (await readBody(request)).toString('utf8');
      if (options.delayMs !== undefined) await sleep(options.delayMs);
      const { answer, body } = handler.handle(endpoint, raw, request.headers.authorization);
      const call: RecordedCall = { endpoint, body, status: answer.status, ...(answer.status === HTTP.ok ? {} : { error: answer.message }) };
      calls.push(call);
      options.onCall?.(call, calls.length);
      if (!response.destroyed) send(response, endpoint, answer);
    })();
  });
  const files = createServer((request, response) => {
    handleFiles(state, request, response).catch((error: unknown) => {
      response.writeHead(HTTP.badRequest).end(String(error));
    });
  });
  const apiUrl = await listen(api, host, options.port ?? 0);
  const filesUrl = await listen(files, host, options.port === undefined || options.port === 0 ? 0 : options.port + 1);
  return {
    apiUrl, webUrl: apiUrl, filesUrl, accessKey: keys.access, secretKey: keys.secret, calls, state,
    env: () => ({ CLEARML_API_HOST: apiUrl, CLEARML_WEB_HOST: apiUrl, CLEARML_FILES_HOST: filesUrl, CLEARML_API_ACCESS_KEY: keys.access, CLEARML_API_SECRET_KEY: keys.secret }),
    close: async () => {
      await Promise.all([close(api), close(files)]);
    },
  };
}
