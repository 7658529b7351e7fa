import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

describe('writeFileAtomic', () => {
  it('writes the content and leaves no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    const target = join(dir, 'sub', 'metrics.json');
    await writeFileAtomic(target, '{"f2":0.5}');
    await writeFileAtomic(target, '{"f2":0.6}');
    expect(await readFile(target, 'utf8')).toBe('{"f2":0.6}');
    expect(await readdir(join(dir, 'sub'))).toEqual(['metrics.json']);
  });
});
