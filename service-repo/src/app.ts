/**
 * The service as one Fastify plugin: external plugins (multipart, swagger, CORS, under-pressure,
 * static files), then the app plugins (model registry, batcher, metrics, predictor), then the routes,
 * each folder autoloaded. Also the error and not-found handlers and the response headers every
 * answer carries.
 */
import autoload from '@fastify/autoload';
import type { FastifyError, FastifyInstance, FastifyPluginOptions, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './lib/config.js';
import { describeError, type ErrorReply } from './lib/error-reply.js';
import { HTTP } from './lib/errors.js';
import type { ErrorBody } from './schemas/common.js';

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

function setHandlers(fastify: FastifyInstance): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const described = describeError(error, fastify.config, request.headers['content-type']);
    logFailure(request, error, described);
    if (described.retryAfter !== undefined) void reply.header('retry-after', String(described.retryAfter));
    const body: ErrorBody = {
      error: described.message,
      statusCode: described.statusCode,
      ...(described.code === undefined ? {} : { code: described.code }),
      ...(described.file === undefined ? {} : { file: described.file }),
      requestId: request.id,
    };
    return reply.code(described.statusCode).send(body);
  });
  fastify.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`, statusCode: HTTP.notFound, code: 'NOT_FOUND', requestId: request.id };
    return reply.code(HTTP.notFound).send(body);
  });
}

export default async function serviceApp(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  fastify.decorate('config', opts.config);
  // Only JSON (and multipart, from its plugin) bodies: anything else is a 415 before any route runs.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // Cross-origin isolation on every answer: the page's WASM threads need it on all of them.
    void reply.header('cross-origin-opener-policy', 'same-origin');
    void reply.header('cross-origin-embedder-policy', 'require-corp');
    void reply.header('cross-origin-resource-policy', 'same-origin');
  });
  // Before the routes register, so every route context inherits the handlers.
  setHandlers(fastify);
  await fastify.register(autoload, { dir: join(HERE, 'plugins/external'), ignorePattern: IGNORE, options: opts });
  await fastify.register(autoload, { dir: join(HERE, 'plugins/app'), ignorePattern: IGNORE, options: opts });
  await fastify.register(autoload, { dir: join(HERE, 'routes'), ignorePattern: IGNORE, autoHooks: true, cascadeHooks: true, options: opts });
}
