/** Fastify server options from the configuration: logging, request ids, body limit, timeouts. */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { FastifyError, FastifyHttpOptions, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from './config/index.js';
import { clientErrorHandler, describeError, errorBody } from './http/index.js';

const PLUGIN_TIMEOUT_MS = 60_000;
const MAX_REQUEST_ID_LENGTH = 128;

function sendFrameworkError(config: Config, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const described = describeError(error, config);
  request.log.info({ err: error, url: request.url }, described.message);
  void reply.code(described.statusCode).header('x-request-id', request.id).send(errorBody(described, request.id));
}

export function serverOptions(config: Config): FastifyHttpOptions<Server> {
  return {
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
    },
    // Honour a caller's request id (tracing through a proxy) when it looks sane; otherwise a UUID.
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && given.length > 0 && given.length <= MAX_REQUEST_ID_LENGTH ? given : randomUUID();
    },
    bodyLimit: config.maxBodyBytes,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Draining answers 503 SHUTTING_DOWN from the graceful plugin, in the service's error shape.
    return503OnClosing: false,
    // Errors before routing (bad percent-encoding, an over-long path parameter) and before Fastify
    // (malformed HTTP) get the same error shape as everything else.
    frameworkErrors: (error, request, reply) => { sendFrameworkError(config, error, request, reply); },
    clientErrorHandler,
    // Node would answer a missing Host header itself, with an empty 400: the app checks it instead.
    http: { requireHostHeader: false },
    forceCloseConnections: 'idle',
    pluginTimeout: PLUGIN_TIMEOUT_MS,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  };
}
