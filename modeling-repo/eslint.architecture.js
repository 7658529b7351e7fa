// The layer table of ARCHITECTURE.md, read for the import-boundary rule of eslint.config.js (and for
// test/architecture.test.ts): the document is the one source of which folder may import which.
import { readFileSync } from 'node:fs';

const HEADER = '| folder | what it is | may import |';

/** Backticked names of a table cell: "`config`, `util`" -> ['config', 'util']; "-" -> []. */
function namesIn(cell) {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/**
 * The rows of the first table with the header above: one { folder, mayImport } per folder of src/.
 * @param {string} markdown
 * @returns {{ folder: string, mayImport: string[] }[]}
 */
export function parseLayers(markdown) {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === HEADER);
  if (start < 0) throw new Error(`ARCHITECTURE.md: no table with the header "${HEADER}"`);
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const [folder] = namesIn(cells[0] ?? '');
    if (folder === undefined) throw new Error(`ARCHITECTURE.md: a layer row without a folder: ${line}`);
    rows.push({ folder, mayImport: namesIn(cells[2] ?? '') });
  }
  return rows;
}

/** The layer table of this package's ARCHITECTURE.md. */
export function readLayers() {
  return parseLayers(readFileSync(new URL('./ARCHITECTURE.md', import.meta.url), 'utf8'));
}
