/** Builds the service (not listening): used by the server entry point, the tests and the benchmark. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import serviceApp from './app.js';
import type { Config } from './config/index.js';
import { serverOptions } from './server-options.js';

export interface BuildOptions {
  readonly autoLoadModel?: boolean;
  /** Overrides of the Fastify options (tests pass `logger: false`). */
  readonly fastify?: Partial<FastifyServerOptions>;
}

export async function buildServer(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ ...serverOptions(config), ...options.fastify }).withTypeProvider<TypeBoxTypeProvider>();
  // fastify-plugin: the app's decorators (model, metrics...) stay visible to the caller.
  await app.register(fp(serviceApp), { config, autoLoadModel: options.autoLoadModel ?? true });
  return app;
}
