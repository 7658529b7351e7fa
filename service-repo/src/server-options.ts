/** Fastify server options from the configuration: logging, request ids, body limit, timeouts. */
import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './lib/config.js';

const PLUGIN_TIMEOUT_MS = 60_000;
const MAX_REQUEST_ID_LENGTH = 128;

export function serverOptions(config: Config): FastifyServerOptions {
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
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    pluginTimeout: PLUGIN_TIMEOUT_MS,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  };
}
