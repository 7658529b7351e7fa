/**
 * The browser page (public/) at `/`, and the onnxruntime-web files it needs at `/ort/` (only the
 * WASM build: ort.wasm.min.mjs and its threaded worker and binary), with the MIME types browsers
 * require for ES modules and WebAssembly.
 * @see https://github.com/fastify/fastify-static
 */
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const;
const PUBLIC_DIR = fileURLToPath(new URL('../../../public', import.meta.url));
const ORT_DIR = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const MAX_AGE_S = 3600;

const JS_TYPE = 'text/javascript; charset=utf-8';

function setMime(res: { setHeader: (name: string, value: string) => unknown }, path: string): void {
  if (path.endsWith('.wasm')) res.setHeader('content-type', 'application/wasm');
}

export default fp(async (fastify: FastifyInstance) => {
  // The static server's MIME table says application/javascript; the HTML standard's type for
  // scripts and ES modules is text/javascript.
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (String(reply.getHeader('content-type')).startsWith('application/javascript')) void reply.header('content-type', JS_TYPE);
    return payload;
  });
  await fastify.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/',
    wildcard: false,
    setHeaders: setMime,
    schemaHide: true,
  });
  // Three named files, not the whole package folder.
  fastify.get<{ Params: { file: (typeof ORT_FILES)[number] } }>('/ort/:file', {
    schema: { hide: true, params: { type: 'object', properties: { file: { type: 'string', enum: [...ORT_FILES] } }, required: ['file'] } },
  }, (request, reply) => reply.sendFile(request.params.file, ORT_DIR, { maxAge: MAX_AGE_S * 1000 }));
}, { name: 'static' });
