/**
 * ARCHITECTURE.md's layer table is what `npm run lint` enforces (architecture-rules.js): here, that
 * it describes the tree as it is, every folder of src/ in exactly one layer and every public surface
 * an existing file.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLayers } from '../architecture-rules.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('ARCHITECTURE.md layer table', () => {
  const layers = readLayers();

  it('names every folder of src/ once, and only folders that exist', () => {
    const folders = layers.flatMap((layer) => layer.folders);
    const srcFolders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `src/${e.name}`);
    expect(folders.filter((f) => f.startsWith('src/')).sort()).toEqual(srcFolders.sort());
    expect(new Set(folders).size).toBe(folders.length);
    for (const folder of folders) expect(existsSync(join(ROOT, folder))).toBe(true);
  });

  it('gives each layer an existing public surface, or none', () => {
    for (const layer of layers) {
      for (const folder of layer.surface === undefined ? [] : layer.folders) expect(existsSync(join(ROOT, folder, layer.surface!))).toBe(true);
    }
  });
});
