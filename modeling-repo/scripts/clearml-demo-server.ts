/** `npm run clearml:demo-server [-- PORT]`: see docs/tracking.md. */
import { runDemoServer } from '../test/servers/clearml/demo.js';

const server = await runDemoServer(process.argv.slice(2), (line) => {
  console.log(line);
});
process.once('SIGINT', () => {
  void server.close().then(() => process.exit(0));
});
