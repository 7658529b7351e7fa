/**
 * Entry point: reads the configuration, starts listening at once (liveness), loads the model in the
 * background (readiness) and exits if the bundle is refused. SIGTERM/SIGINT: stop accepting, finish
 * in-flight requests and queued images, release the model, exit (forced after SHUTDOWN_TIMEOUT_MS).
 */
import closeWithGrace from 'close-with-grace';
import { buildServer } from './build.js';
import { ConfigError, loadConfig, type Config } from './lib/config.js';

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const app = await buildServer(config);
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  await app.listen({ port: config.port, host: config.host });
  app.model.load().catch(async () => {
    // The reasons were logged by the registry; a service that cannot serve its model should not idle.
    await app.close();
    process.exit(1);
  });
}

await main();
