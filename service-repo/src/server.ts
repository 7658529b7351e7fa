/**
 * Entry point: reads the configuration, starts listening at once (liveness), loads the model in the
 * background (readiness) and exits if the bundle is refused. SIGTERM/SIGINT: stop accepting, finish
 * in-flight requests and queued images, release the model, exit (forced after SHUTDOWN_TIMEOUT_MS).
 */
import closeWithGrace from 'close-with-grace';
import { buildServer } from './build.js';
import { ConfigError, DEFAULT_MODEL_DIRS, loadConfig, noArguments, type Config } from './config/index.js';

const USAGE = `usage: npm start (tsx) | npm run start:dist (built) | npm run dev (restarts on changes)

Serves the model bundle in MODEL_DIR (default ${DEFAULT_MODEL_DIRS.local}/, else ${DEFAULT_MODEL_DIRS.sibling}) on HOST:PORT
(default 0.0.0.0:8080). No arguments: every setting is an environment variable, validated at start:
  PORT HOST MODEL_DIR MAX_FILES MAX_FILE_BYTES MAX_BODY_BYTES MAX_IMAGE_PIXELS MAX_BATCH
  MAX_QUEUE_DELAY_US MAX_QUEUE MAX_EVENT_LOOP_DELAY_MS REQUEST_TIMEOUT_MS KEEP_ALIVE_TIMEOUT_MS
  SHUTDOWN_TIMEOUT_MS ORT_THREADS DECODE_CONCURRENCY ORT_DEVICE VERIFY_GOLDEN API_KEY CORS_ORIGINS LOG_LEVEL
(README.md, "Configuration"). Exit status 1: the bundle was refused; 2: a bad setting.
Example: MODEL_DIR=models/tiny PORT=3000 npm start`;

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
  noArguments(process.argv.slice(2), USAGE);
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
