import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where tests find the shared backbones: $BACKBONES_DIR, else ../shared/backbones beside the
 * repository root (tests run from the package folder, one level below it).
 */
export function backbonesDir(): string {
  return resolve(process.env.BACKBONES_DIR ?? join(process.cwd(), '..', '..', 'shared', 'backbones'));
}

/** The path of a shared backbone file, or undefined (with a console note saying why) when absent. */
export function sharedBackbone(file: string, what: string): string | undefined {
  const path = join(backbonesDir(), file);
  if (existsSync(path)) {
    return path;
  }
  console.log(`skipping ${what}: ${path} is absent (set BACKBONES_DIR to the folder with ${file})`);
  return undefined;
}
