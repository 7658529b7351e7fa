import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize, sep } from 'node:path';

const HTTP_OK = 200;
const HTTP_BAD_REQUEST = 400;
const HTTP_UNAUTHORIZED = 401;
const HTTP_NOT_FOUND = 404;
const HTTP_NOT_ALLOWED = 405;
const TEMP_SUFFIX_BYTES = 6;

/** One request the server saw, for tests that assert what a client did. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
}

/** A running HTTP remote: its base URL, the requests it saw, and how to stop it. */
export interface HttpRemoteServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** Where to serve from, and an optional `Authorization` header value every request must carry. */
export interface HttpRemoteServerOptions {
  readonly root: string;
  readonly port?: number;
  readonly host?: string;
  readonly authorization?: string;
}

/** Maps a URL path to a file under root, refusing anything that escapes it. */
function fileFor(root: string, urlPath: string): string | undefined {
  const relative = normalize(decodeURIComponent(urlPath.split('?')[0] ?? '')).replace(/^[/\\]+/, '');
  if (relative === '' || relative.startsWith('..')) return undefined;
  const file = join(root, relative);
  return file.startsWith(root + sep) ? file : undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function store(file: string, body: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(TEMP_SUFFIX_BYTES).toString('hex')}.tmp`;
  await writeFile(temp, body);
  await rename(temp, file).catch(async (error: unknown) => {
    await rm(temp, { force: true });
    throw error;
  });
}

async function answer(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const file = fileFor(root, request.url ?? '/');
  if (file === undefined) {
    response.writeHead(HTTP_BAD_REQUEST).end();
    return;
  }
  const method = request.method ?? 'GET';
  if (method === 'POST' || method === 'PUT') {
    await store(file, await readBody(request));
    response.writeHead(HTTP_OK).end();
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    response.writeHead(HTTP_NOT_ALLOWED).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (info?.isFile() !== true) {
    response.writeHead(HTTP_NOT_FOUND).end();
    return;
  }
  response.writeHead(HTTP_OK, { 'content-length': info.size, 'content-type': 'application/octet-stream' });
  response.end(method === 'HEAD' ? undefined : await readFile(file));
}

/**
 * Serves a folder as a DVC HTTP remote on loopback: GET and HEAD read objects, POST (DVC's upload
 * verb) and PUT store the request body at the URL's path. For tests and local pipelines only.
 */
export async function startHttpRemoteServer(options: HttpRemoteServerOptions): Promise<HttpRemoteServer> {
  const root = normalize(options.root);
  const requests: SeenRequest[] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '' });
    if (options.authorization !== undefined && request.headers.authorization !== options.authorization) {
      response.writeHead(HTTP_UNAUTHORIZED).end();
      return;
    }
    answer(root, request, response).catch((error: unknown) => {
      response.writeHead(HTTP_BAD_REQUEST).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    requests,
    close: () => new Promise((resolve, reject) => {
      server.close((error) => {
        if (error === undefined) resolve();
        else reject(error);
      });
    }),
  };
}
