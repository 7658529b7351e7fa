import { basename, dirname } from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import { addToGitignore } from './gitignore.js';
import { formatPointer } from './pointer.js';
import type { DvcRepo } from './repo.js';

/** What `dvcAdd` did for one file. */
export interface AddedFile {
  readonly file: string;
  readonly pointer: string;
  readonly md5: string;
  readonly size: number;
}

/**
 * `dvc add FILE` for single files: copies each into the cache (read-only, by md5), writes
 * `FILE.dvc` beside it and adds `/FILE` to the `.gitignore` in the same folder.
 */
export async function dvcAdd(repo: DvcRepo, files: readonly string[]): Promise<AddedFile[]> {
  const added: AddedFile[] = [];
  for (const file of files) {
    const { md5, size } = await repo.cache.addFile(file);
    const pointer = `${file}.dvc`;
    await writeFileAtomic(pointer, formatPointer([{ md5, size, path: basename(file) }]));
    await addToGitignore(dirname(file), basename(file));
    added.push({ file, pointer, md5, size });
  }
  return added;
}
