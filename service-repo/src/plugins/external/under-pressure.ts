/**
 * Answers 503 with Retry-After instead of falling over when the event loop is saturated
 * (MAX_EVENT_LOOP_DELAY_MS; 0 turns the check off). Health and metrics routes opt out per route.
 * @see https://github.com/fastify/under-pressure
 */
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';

export const RETRY_AFTER_S = 1;
const SAMPLE_INTERVAL_MS = 250;

export const autoConfig = (fastify: FastifyInstance): FastifyUnderPressureOptions => ({
  maxEventLoopDelay: fastify.config.maxEventLoopDelayMs,
  retryAfter: RETRY_AFTER_S,
  sampleInterval: SAMPLE_INTERVAL_MS,
});

export default underPressure;
