/**
 * Graceful shutdown. Before the HTTP server closes (preClose), wait for every request in flight to be
 * answered: their images may still be decoding and must reach the batcher, which only closes after
 * (onClose). Answers sent meanwhile carry `Connection: close`, so keep-alive clients let go and the
 * server can finish. Requests that arrive meanwhile (on kept-alive connections) get 503 SHUTTING_DOWN
 * in the service's error shape (Fastify's own return503OnClosing answer has another shape).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HTTP, RequestError } from '../../errors/index.js';

const POLL_MS = 10;

export default fp(async (fastify: FastifyInstance) => {
  // A set, not a counter: a request must be counted out exactly once (request objects, not ids:
  // clients may send the same x-request-id twice). The raw response's 'close' fires once in every
  // case: answered, or the client gone, even after its whole body arrived (then neither onResponse
  // nor onRequestAbort runs, and the set would keep the request, and shutdown wait for it, forever).
  const inFlight = new Set<FastifyRequest>();
  let closing = false;
  fastify.addHook('onRequest', async (request, reply) => {
    if (closing) throw new RequestError(HTTP.serviceUnavailable, 'SHUTTING_DOWN', 'the service is shutting down; retry on another instance');
    inFlight.add(request);
    reply.raw.once('close', () => { inFlight.delete(request); });
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  fastify.addHook('preClose', async () => {
    closing = true;
    // Bounded by SHUTDOWN_TIMEOUT_MS in the entry point (close-with-grace forces the exit).
    while (inFlight.size > 0) await new Promise((r) => setTimeout(r, POLL_MS));
  });
}, { name: 'graceful' });
