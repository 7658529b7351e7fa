/**
 * `npm run dvc:http-remote -- root=DIR [port=N] [host=127.0.0.1]`: serves a folder as a DVC HTTP
 * remote (GET/HEAD read, POST/PUT write) for local pipelines and tests; see docs/dvc.md.
 */
import { parseArgs } from '../src/dvc/index.js';
import { startHttpRemoteServer } from '../test/servers/dvc-http-remote.js';

try {
  const { options } = parseArgs(process.argv.slice(2), ['root', 'port', 'host']);
  if (options.root === undefined) throw new Error('usage: npm run dvc:http-remote -- root=DIR [port=N] [host=127.0.0.1]');
  const server = await startHttpRemoteServer({ root: options.root, port: Number(options.port ?? 0), host: options.host ?? '127.0.0.1' });
  console.log(`DVC HTTP remote for ${options.root} at ${server.url} (Ctrl-C to stop)`);
  process.once('SIGINT', () => {
    void server.close().then(() => process.exit(0));
  });
  process.once('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
} catch (error) {
  console.error(`dvc:http-remote: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
