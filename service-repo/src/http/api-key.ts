/** The optional API key of /v1 and /v2: `x-api-key: KEY` or `Authorization: Bearer KEY`. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HTTP, RequestError } from '../errors/index.js';

function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match?.[1];
}

/** Compares digests so the comparison time says nothing about the key. */
function sameKey(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Throws 401 unless the headers carry `expected`; does nothing when no key is configured. */
export function checkApiKey(headers: IncomingHttpHeaders, expected: string | undefined): void {
  if (expected === undefined) return;
  const given = presentedKey(headers);
  if (given === undefined) throw new RequestError(HTTP.unauthorized, 'UNAUTHORIZED', 'missing API key: send x-api-key: <key> or Authorization: Bearer <key>');
  if (!sameKey(given, expected)) throw new RequestError(HTTP.unauthorized, 'UNAUTHORIZED', 'wrong API key');
}
