/** Errors that carry an HTTP status and a stable code: what every layer throws for a client's mistake. */
export { badImage, HTTP, RequestError } from './errors.js';
