// The import-boundary rule of `npm run lint`, built from the table "Which layer may import which"
// in ARCHITECTURE.md: that table is the one definition, so the document cannot go stale unnoticed.
import { readFileSync } from 'node:fs';
import boundaries from 'eslint-plugin-boundaries';

const TABLE_HEADER = '| layer | folder | may import | public surface |';
const NONE = '—';

/** `a, b` or `—` -> ['a', 'b'] or []; backticks dropped. */
function list(cell) {
  const text = cell.replaceAll('`', '').trim();
  return text === NONE ? [] : text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** The table's rows: { layer, folders, imports, surface } (surface undefined: nothing may import it). */
export function readLayers(markdown = readFileSync(new URL('./ARCHITECTURE.md', import.meta.url), 'utf8')) {
  const lines = markdown.split('\n');
  const start = lines.indexOf(TABLE_HEADER);
  if (start < 0) throw new Error(`ARCHITECTURE.md: no table with the header ${TABLE_HEADER}`);
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [layer, folder, imports, surface] = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const folders = list(folder.replace(/\s*\(.*\)$/, ''));
    rows.push({ layer, folders, imports: list(imports), surface: list(surface)[0] });
  }
  const known = new Set(rows.map((row) => row.layer));
  for (const row of rows) {
    const unknown = row.imports.filter((name) => !known.has(name));
    if (unknown.length > 0) throw new Error(`ARCHITECTURE.md: layer ${row.layer} may import unknown layers ${unknown.join(', ')}`);
  }
  return rows;
}

/** Elements in table order, the `app` layer (the files directly in src/) last so folders win. */
function elements(layers) {
  const ordered = [...layers.filter((row) => row.layer !== 'app'), ...layers.filter((row) => row.layer === 'app')];
  return ordered.flatMap((row) => row.folders.map((folder) => ({ type: row.layer, pattern: folder, partialMatch: false })));
}

/**
 * One policy per layer: its own files freely; another layer only when the table lists it, and only
 * through that layer's public surface. `extra` adds layers (the test helpers for colocated tests).
 */
function policies(layers, extra = []) {
  const surfaces = new Map(layers.map((row) => [row.layer, row.surface]));
  return layers.map((row) => ({
    from: { element: { type: row.layer } },
    allow: [
      { dependency: { relationship: { to: 'internal' } } },
      ...[...row.imports, ...extra].filter((name) => surfaces.get(name) !== undefined || name === 'tests').map((name) => ({
        to: { element: { type: name, ...(name === 'tests' ? {} : { fileInternalPath: surfaces.get(name) }) } },
      })),
    ],
  }));
}

function rule(layers, extra) {
  return ['error', { default: 'disallow', policies: policies(layers, extra) }];
}

/** The flat-config entries: production files, then colocated tests (which may use test/helpers). */
export function boundariesConfig() {
  const layers = readLayers();
  const settings = {
    'boundaries/elements': elements(layers),
    'import/resolver': { typescript: { project: './tsconfig.json' } },
  };
  return [
    {
      files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
      plugins: { boundaries },
      settings,
      rules: { 'boundaries/dependencies': rule(layers), 'boundaries/no-unknown-files': 'error' },
    },
    {
      files: ['src/**/*.test.ts'],
      rules: { 'boundaries/dependencies': rule(layers, ['tests']) },
    },
  ];
}
