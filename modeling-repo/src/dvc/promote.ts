import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import { addToGitignore } from './gitignore.js';
import { parsePointer } from './pointer.js';

/** One pointer copied by `promotePointers`. */
export interface PromotedPointer {
  readonly from: string;
  readonly to: string;
  readonly md5: string;
}

/**
 * Copies pointer files into another DVC project's `models/` folder (the service), after checking
 * each parses, and adds the tracked names to that folder's `.gitignore`. The pointers' `path` is
 * relative to their own folder, so they stay valid when copied.
 */
export async function promotePointers(pointers: readonly string[], targetModelsDir: string): Promise<PromotedPointer[]> {
  const promoted: PromotedPointer[] = [];
  for (const from of pointers) {
    const text = await readFile(from, 'utf8');
    const outs = parsePointer(text, from);
    const to = join(targetModelsDir, basename(from));
    await writeFileAtomic(to, text);
    for (const out of outs) {
      await addToGitignore(targetModelsDir, out.path);
    }
    promoted.push({ from, to, md5: outs.map((out) => out.md5).join(',') });
  }
  return promoted;
}
