/**
 * Prometheus metrics (prom-client, one registry per app): HTTP requests and latency per route and
 * status, inference batch sizes, queue wait, run time, images per second, and the default process
 * metrics. Every series carries the served model's name and version as labels.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchInfo } from '../../inference/index.js';

const MS_PER_S = 1000;
const RATE_WINDOW_S = 10;
/** 0.5 ms to about 16 s, doubling. */
const LATENCY_START_S = 0.0005;
const LATENCY_BUCKET_COUNT = 16;
const LATENCY_BUCKETS = exponentialBuckets(LATENCY_START_S, 2, LATENCY_BUCKET_COUNT);
/** 1 to 512 images, doubling. */
const BATCH_BUCKET_COUNT = 10;
const BATCH_BUCKETS = exponentialBuckets(1, 2, BATCH_BUCKET_COUNT);

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status_code'], registers: [this.registry] });
  private readonly httpDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request latency by route, method and status', labelNames: ['route', 'method', 'status_code'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly batchSize = new Histogram({ name: 'inference_batch_size', help: 'Images per inference run', buckets: BATCH_BUCKETS, registers: [this.registry] });
  private readonly queueWait = new Histogram({ name: 'inference_queue_wait_seconds', help: 'Time an image waited in the batching queue', buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly runTime = new Histogram({ name: 'inference_run_seconds', help: 'Time of one inference run (one batch)', buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly images = new Counter({ name: 'inference_images_total', help: 'Images inferred', registers: [this.registry] });
  /** Completion times (ms) of recent images, for the images-per-second gauge. */
  private recent: number[] = [];
  /** Set by the batcher, which registers after this plugin (0 until then). */
  private queueDepth: () => number = () => 0;

  constructor() {
    const depth = (): number => this.queueDepth();
    new Gauge({ name: 'inference_queue_depth', help: 'Images waiting in the batching queue', registers: [this.registry], collect() { this.set(depth()); } });
    const recentRate = (): number => this.imagesPerSecond();
    new Gauge({ name: 'inference_images_per_second', help: `Images inferred per second over the last ${RATE_WINDOW_S} s`, registers: [this.registry], collect() { this.set(recentRate()); } });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The gauge `inference_queue_depth` reads the queue through this. */
  trackQueueDepth(depth: () => number): void {
    this.queueDepth = depth;
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status_code: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  observeBatch(info: BatchInfo): void {
    this.batchSize.observe(info.size);
    this.runTime.observe(info.runMs / MS_PER_S);
    for (const wait of info.waitsMs) this.queueWait.observe(wait / MS_PER_S);
    this.images.inc(info.size);
    const now = performance.now();
    for (let i = 0; i < info.size; i++) this.recent.push(now);
  }

  imagesPerSecond(): number {
    const since = performance.now() - RATE_WINDOW_S * MS_PER_S;
    this.recent = this.recent.filter((t) => t >= since);
    return this.recent.length / RATE_WINDOW_S;
  }

  /** Prometheus text, labelled with the model now served. */
  async render(model: { name: string; version: string } | undefined): Promise<string> {
    this.registry.setDefaultLabels({ model: model?.name ?? 'none', model_version: model?.version ?? 'none' });
    return this.registry.metrics();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

export default fp(async (fastify: FastifyInstance) => {
  const metrics = new ServiceMetrics();
  fastify.decorate('metrics', metrics);
  fastify.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so unknown paths cannot blow up the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(route, request.method, reply.statusCode, reply.elapsedTime / MS_PER_S);
  });
}, { name: 'metrics' });
