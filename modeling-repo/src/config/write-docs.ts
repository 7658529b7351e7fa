/**
 * Regenerates `docs/config.md` from `configs/defaults.yaml` and the schema:
 *   npx tsx src/config/write-docs.ts
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/index.js';
import { renderConfigDocs } from './docs.js';

const defaults = await readFile('configs/defaults.yaml', 'utf8');
await writeFileAtomic('docs/config.md', renderConfigDocs(defaults));
console.log('wrote docs/config.md');
