/**
 * Loads the model bundle, checks it against the contract, warms it up and (by default) proves it with
 * golden.json before declaring itself ready. Loading runs in the background after start, so liveness
 * answers at once and readiness only once the model answers correctly. A bundle that is refused
 * leaves the state `failed` with the reasons (the server entry point then exits).
 */
import fp from 'fastify-plugin';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.js';
import { HTTP, RequestError } from '../../errors/index.js';
import { prepareImage } from '../../image/index.js';
import { BundleError, compareGolden, OnnxModel, readBundle, type GoldenReport } from '../../inference/index.js';

export type ModelState = 'idle' | 'loading' | 'ready' | 'failed';

export class ModelRegistry {
  state: ModelState = 'idle';
  error: Error | undefined;
  golden: GoldenReport | undefined;
  private model: OnnxModel | undefined;
  private loading: Promise<OnnxModel> | undefined;

  constructor(private readonly config: Config, private readonly log: FastifyBaseLogger) {}

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** The loaded model, or a 503 that says the model is not ready yet (or why it failed). */
  require(): OnnxModel {
    if (this.state === 'ready' && this.model !== undefined) return this.model;
    const why = this.state === 'failed' ? 'failed to load' : 'is not ready yet (loading)';
    throw new RequestError(HTTP.serviceUnavailable, 'MODEL_NOT_READY', `the model ${why}; retry later`);
  }

  /** The loaded model if any, whatever the state (for metadata such as the card). */
  peek(): OnnxModel | undefined {
    return this.model;
  }

  /** Loads once; later calls share the same promise. */
  load(): Promise<OnnxModel> {
    this.loading ??= this.loadOnce();
    return this.loading;
  }

  async close(): Promise<void> {
    await this.loading?.catch(() => undefined);
    await this.model?.release();
    this.model = undefined;
  }

  private async loadOnce(): Promise<OnnxModel> {
    this.state = 'loading';
    const started = performance.now();
    try {
      const bundle = await readBundle(this.config.modelDir);
      const model = await OnnxModel.load(bundle, { threads: this.config.ortThreads, device: this.config.ortDevice });
      try {
        await this.warmUp(model);
        if (this.config.verifyGolden) this.golden = await this.verifyGolden(model);
      } catch (error) {
        await model.release();
        throw error;
      }
      this.model = model;
      this.state = 'ready';
      this.log.info({ model: bundle.card.name, version: bundle.card.version, dir: bundle.dir, ms: Math.round(performance.now() - started), golden: this.golden }, 'model ready');
      return model;
    } catch (error) {
      this.state = 'failed';
      this.error = error instanceof Error ? error : new Error(String(error));
      this.log.error({ err: this.error, dir: this.config.modelDir }, 'model bundle refused');
      throw this.error;
    }
  }

  /** First runs allocate ONNX Runtime's buffers; do them now (one image, a full batch) so no request pays. */
  private async warmUp(model: OnnxModel): Promise<void> {
    for (const n of [1, this.config.maxBatch]) {
      const outputs = await model.run(Array.from({ length: n }, () => new Uint8Array(model.imageBytes)));
      const bad = outputs.flatMap((p) => Array.from(p)).find((v) => !(v >= 0 && v <= 1));
      if (bad !== undefined) throw new BundleError(model.bundle.dir, [`model.onnx: warm-up gave probability ${bad}, outside [0, 1]`]);
    }
  }

  private async verifyGolden(model: OnnxModel): Promise<GoldenReport> {
    const { golden, card, dir } = model.bundle;
    const limits = { maxPixels: this.config.maxImagePixels };
    const inputs = await Promise.all(golden.map((s) => prepareImage(Buffer.from(s.jpeg, 'base64'), s.name, card, limits)));
    const computed: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += this.config.maxBatch) {
      computed.push(...await model.run(inputs.slice(i, i + this.config.maxBatch).map((img) => img.input)));
    }
    const report = compareGolden(golden, computed, card.labels);
    if (report.failures.length > 0) {
      throw new BundleError(dir, report.failures.map((f) => `golden.json: ${f} (decoding, resizing or the graph disagree with the pipeline)`));
    }
    return report;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    model: ModelRegistry;
  }
}

export interface ModelRegistryOptions {
  /** Start loading when the server is ready (default). Tests turn it off to observe readiness. */
  readonly autoLoadModel?: boolean;
}

export default fp(async (fastify: FastifyInstance, opts: ModelRegistryOptions) => {
  const registry = new ModelRegistry(fastify.config, fastify.log);
  fastify.decorate('model', registry);
  if (opts.autoLoadModel !== false) {
    // Not awaited: the server listens (and answers liveness) while the model loads.
    fastify.addHook('onReady', () => { registry.load().catch(() => undefined); });
  }
  fastify.addHook('onClose', async () => { await registry.close(); });
}, { name: 'model-registry', decorators: { fastify: ['config'] } });
