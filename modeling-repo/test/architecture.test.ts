import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseLayers, readLayers } from '../eslint.architecture.js';

const SRC = join(import.meta.dirname, '..', 'src');
const srcFolders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('ARCHITECTURE.md, the source of the import-boundary rule', () => {
  const layers = readLayers();

  it('has one row for every folder of src/ and none for folders that do not exist', () => {
    expect(layers.map((l) => l.folder).sort()).toEqual(srcFolders);
  });

  it('names only folders of rows above: dependencies point down the table', () => {
    layers.forEach((layer, row) => {
      const below = new Set(layers.slice(0, row).map((l) => l.folder));
      expect({ folder: layer.folder, up: layer.mayImport.filter((name) => !below.has(name)) }).toEqual({ folder: layer.folder, up: [] });
    });
  });

  it('gives every folder but cli (its files are the commands) a public surface, index.ts', () => {
    const without = srcFolders.filter((folder) => folder !== 'cli' && !existsSync(join(SRC, folder, 'index.ts')));
    expect(without).toEqual([]);
  });

  it('reads a table row by row, "-" as no imports', () => {
    const md = readFileSync(join(SRC, '..', 'ARCHITECTURE.md'), 'utf8');
    expect(parseLayers(md)).toEqual(layers);
    const table = '| folder | what it is | may import |\n| --- | --- | --- |\n| `a` | A. | - |\n| `b` | B. | `a` |\n\nafter';
    expect(parseLayers(table)).toEqual([{ folder: 'a', mayImport: [] }, { folder: 'b', mayImport: ['a'] }]);
  });
});
