/**
 * HTTP concerns without Fastify: every error mapped to one answer shape and stable code, the
 * answers for requests Node's parser refuses, the API key check and the table behind 405 answers.
 */
export { checkApiKey } from './api-key.js';
export { clientErrorHandler, describeClientError, expectationFailed } from './client-error.js';
export { describeError, errorBody, type ErrorReply } from './error-reply.js';
export { RouteTable } from './route-table.js';
