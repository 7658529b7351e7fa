import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/index.js';

/** Characters that gitignore treats as patterns; DVC escapes them with a backslash. */
const WILDCARD = /[[\]!*#?]/g;

/** The entry `dvc add` writes for a file: anchored to the folder, special characters escaped. */
export function gitignoreEntry(fileName: string): string {
  return `/${fileName.replace(WILDCARD, (char) => `\\${char}`)}`;
}

/**
 * Appends `/name` to the `.gitignore` beside a tracked file, as `dvc add` does: nothing if the
 * line is already there, and a newline first if the file does not end with one.
 */
export async function addToGitignore(folder: string, fileName: string): Promise<boolean> {
  const path = join(folder, '.gitignore');
  const entry = gitignoreEntry(fileName);
  let current = '';
  try {
    current = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (current.split('\n').includes(entry)) return false;
  const prefix = current === '' || current.endsWith('\n') ? '' : '\n';
  await writeFileAtomic(path, `${current}${prefix}${entry}\n`);
  return true;
}
