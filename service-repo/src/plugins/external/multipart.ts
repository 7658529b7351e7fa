/**
 * multipart/form-data uploads. Limits come from the configuration; a file over MAX_FILE_BYTES or more
 * than MAX_FILES files end the upload with 413 (the predict route names the file).
 * @see https://github.com/fastify/fastify-multipart
 */
import multipart, { type FastifyMultipartOptions } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

/** Plain form fields are ignored, but bounded so they cannot be abused. */
const MAX_FIELDS = 32;
const MAX_FIELD_BYTES = 1024;

export const autoConfig = (fastify: FastifyInstance): FastifyMultipartOptions => ({
  limits: {
    fileSize: fastify.config.maxFileBytes,
    files: fastify.config.maxFiles,
    fields: MAX_FIELDS,
    fieldSize: MAX_FIELD_BYTES,
    parts: fastify.config.maxFiles + MAX_FIELDS,
  },
  throwFileSizeLimit: true,
});

export default multipart;
