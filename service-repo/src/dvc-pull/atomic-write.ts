import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const TEMP_SUFFIX_BYTES = 6;

/**
 * Writes through a temporary sibling (given `mode` first, when set) and renames it over the target:
 * readers never see half a model, nor a cache object that is still writable.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(TEMP_SUFFIX_BYTES).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    if (mode !== undefined) await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
