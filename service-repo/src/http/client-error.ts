/**
 * Answers for requests Node's HTTP parser refuses before Fastify sees a request (malformed request
 * line or headers, oversized headers, a request that took too long to arrive). Fastify's default
 * writes its own JSON shape; this writes the service's one error shape, with a request id the log
 * line carries too, then closes the connection (the parser cannot resynchronise on it).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HTTP } from '../errors/index.js';
import { errorBody, type ErrorReply } from './error-reply.js';

const CLOSE_AFTER_MS = 1000;

interface ParserError extends Error {
  readonly code?: string;
}

/** The part of Fastify's logger (pino) this handler writes to; Fastify passes itself as `this`. */
interface InfoLogger {
  info(details: object, message: string): void;
}

export function describeClientError(error: ParserError): ErrorReply {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { statusCode: HTTP.requestTimeout, code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time (REQUEST_TIMEOUT_MS)' };
  if (error.code === 'HPE_HEADER_OVERFLOW') return { statusCode: HTTP.headersTooLarge, code: 'HEADERS_TOO_LARGE', message: 'the request line and headers are larger than the server accepts' };
  // The parser's reason ("Invalid method encountered") says what was wrong, and nothing internal.
  const reason = error.message.replace(/^Parse Error:\s*/, '');
  return { statusCode: HTTP.badRequest, code: 'MALFORMED_HTTP', message: `malformed HTTP request: ${reason}` };
}

/** The raw HTTP/1.1 answer: status line, headers and the JSON error body. */
function clientErrorResponse(described: ErrorReply, requestId: string): string {
  const body = JSON.stringify(errorBody(described, requestId));
  return [
    `HTTP/1.1 ${described.statusCode} ${STATUS_CODES[described.statusCode] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Fastify's `clientErrorHandler` option (called with the Fastify instance as `this`). */
export function clientErrorHandler(this: { log: InfoLogger }, error: ParserError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const described = describeClientError(error);
  const requestId = randomUUID();
  this.log.info({ err: error, requestId, statusCode: described.statusCode }, described.message);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // end, not destroy: a reset could discard the answer before the client reads it. The timer
  // frees the socket of a client that never closes its side.
  socket.end(clientErrorResponse(described, requestId));
  socket.setTimeout(CLOSE_AFTER_MS, () => socket.destroy());
}

/**
 * Node answers a request whose `Expect` header is not `100-continue` with a bare 417 unless the
 * server has a `checkExpectation` listener: this is that listener, in the one error shape.
 */
export function expectationFailed(request: IncomingMessage, response: ServerResponse): void {
  const requestId = randomUUID();
  const expect = request.headers.expect ?? '';
  const body = JSON.stringify(errorBody({ statusCode: HTTP.expectationFailed, code: 'EXPECTATION_FAILED', message: `expectation '${expect}' is not supported (only 100-continue)` }, requestId));
  response.writeHead(HTTP.expectationFailed, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, connection: 'close' });
  response.end(body);
}
