/**
 * The service as one Fastify plugin: external plugins (multipart, swagger, CORS, under-pressure,
 * static files), then the app plugins (model registry, batcher, metrics, predictor), then the routes,
 * each folder autoloaded. Also the error and not-found (404, or 405 for a known path) handlers and
 * the response headers every answer carries.
 */
import autoload from '@fastify/autoload';
import type { FastifyError, FastifyInstance, FastifyPluginOptions, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/index.js';
import { HTTP, RequestError } from './errors/index.js';
import { describeError, errorBody, expectationFailed, RouteTable, type ErrorReply } from './http/index.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const INTERNAL = 500;

export interface AppOptions extends FastifyPluginOptions {
  readonly config: Config;
  /** Start loading the model once the server is ready (default true). */
  readonly autoLoadModel?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

/** Autoload must skip tests and type declarations that sit beside plugins. */
const IGNORE = /(\.test\.[jt]s|\.d\.ts|\.map)$/;

function logFailure(request: FastifyRequest, error: FastifyError, described: ErrorReply): void {
  const log = { err: error, method: request.method, url: request.url, statusCode: described.statusCode };
  // A client that hung up (a load generator stopping, a timeout) cannot read the answer: not a fault.
  if (request.raw.socket.destroyed) request.log.info(log, `client gone before the answer: ${described.message}`);
  // 503 (busy, loading, shutting down) is the service protecting itself, not a fault.
  else if (described.statusCode === HTTP.serviceUnavailable) request.log.warn(log, described.message);
  else if (described.statusCode >= INTERNAL) request.log.error(log, 'request failed');
  else request.log.info(log, described.message);
}

/**
 * 405 when the path exists with other methods only (with `Allow`), else 404. A route of this method
 * can also end here: the static file server found no such file under its wildcard route.
 */
function notFoundReply(routes: RouteTable, request: FastifyRequest): { reply: ErrorReply; allow?: string } {
  const path = request.url.split('?')[0] ?? '';
  const allowed = routes.allowed(path);
  if (allowed.length === 0 || allowed.includes(request.method)) return { reply: { statusCode: HTTP.notFound, code: 'NOT_FOUND', message: `no route ${request.method} ${path}` } };
  const allow = allowed.join(', ');
  return { reply: { statusCode: HTTP.methodNotAllowed, code: 'METHOD_NOT_ALLOWED', message: `${request.method} is not allowed on ${path} (allowed: ${allow})` }, allow };
}

function setHandlers(fastify: FastifyInstance, routes: RouteTable): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const described = describeError(error, fastify.config, request.headers['content-type']);
    logFailure(request, error, described);
    if (described.retryAfter !== undefined) void reply.header('retry-after', String(described.retryAfter));
    return reply.code(described.statusCode).send(errorBody(described, request.id));
  });
  fastify.setNotFoundHandler((request, reply) => {
    const { reply: described, allow } = notFoundReply(routes, request);
    if (allow !== undefined) void reply.header('allow', allow);
    return reply.code(described.statusCode).send(errorBody(described, request.id));
  });
}

export default async function serviceApp(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  fastify.decorate('config', opts.config);
  // Only JSON (and multipart, from its plugin) bodies: anything else is a 415 before any route runs.
  fastify.removeContentTypeParser('text/plain');
  fastify.server.on('checkExpectation', expectationFailed);
  // HTTP/1.1 requires Host (RFC 9112 3.2); Node's own check is off so the answer has the error shape.
  fastify.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) throw new RequestError(HTTP.badRequest, 'MISSING_HOST', 'an HTTP/1.1 request needs a Host header');
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // Cross-origin isolation on every answer: the page's WASM threads need it on all of them.
    void reply.header('cross-origin-opener-policy', 'same-origin');
    void reply.header('cross-origin-embedder-policy', 'require-corp');
    void reply.header('cross-origin-resource-policy', 'same-origin');
  });
  // Before the routes register, so every route context inherits the handlers and the table sees them.
  const routes = new RouteTable();
  fastify.addHook('onRoute', (route) => { routes.add(route.url, route.method); });
  setHandlers(fastify, routes);
  await fastify.register(autoload, { dir: join(HERE, 'plugins/external'), ignorePattern: IGNORE, options: opts });
  await fastify.register(autoload, { dir: join(HERE, 'plugins/app'), ignorePattern: IGNORE, options: opts });
  await fastify.register(autoload, { dir: join(HERE, 'routes'), ignorePattern: IGNORE, autoHooks: true, cascadeHooks: true, options: opts });
}
