/**
 * Regenerates openapi.yaml from the route schemas (default configuration, no model needed):
 * `npm run openapi`. A test fails when the committed file differs from the served /openapi.json.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildServer } from '../src/build.js';
import { loadConfig, noArguments } from '../src/config/index.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../openapi.yaml', import.meta.url));

noArguments(process.argv.slice(2), 'usage: npm run openapi\n\nWrites openapi.yaml from the route schemas (no model needed); a test compares it with /openapi.json.');
const app = await buildServer(loadConfig({ LOG_LEVEL: 'silent', MODEL_DIR: '/nonexistent' }), { autoLoadModel: false });
await app.ready();
writeFileSync(OPENAPI_FILE, app.swagger({ yaml: true }));
await app.close();
console.log(`wrote ${OPENAPI_FILE}`);
