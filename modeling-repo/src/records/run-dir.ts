import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { configToYaml, type Config } from '../config/index.js';
import { writeFileAtomic } from '../util/index.js';

/** The resolved configuration saved in every run folder (`loadSavedConfig` reads it back). */
export const CONFIG_FILE = 'config.yaml';

const ID_BYTES = 3;
const MAX_ATTEMPTS = 16;
const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** `YYYYmmdd-HHMMSS` in local time, as Hydra names its output folders. */
export function runTimestamp(now: Date): string {
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  return `${date}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/**
 * Creates a new run folder `<root>/<exp>-<YYYYmmdd-HHMMSS>-<short id>` and returns its path. The
 * random id keeps two runs started in the same second apart; an existing folder is never reused.
 */
export function createRunDir(root: string, exp: string, now: Date = new Date()): string {
  if (!SAFE_NAME.test(exp)) throw new Error(`run name '${exp}' must use letters, digits, _ . - only`);
  mkdirSync(root, { recursive: true });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const dir = join(root, `${exp}-${runTimestamp(now)}-${randomBytes(ID_BYTES).toString('hex')}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`could not create a new run folder in ${root}`);
}

/**
 * Writes the resolved configuration to `<runDir>/config.yaml` (atomically), with each value's
 * source as a comment when `sources` is given. Returns the file's path.
 */
export async function saveResolvedConfig(runDir: string, config: Config, sources?: Readonly<Record<string, string>>): Promise<string> {
  const file = join(runDir, CONFIG_FILE);
  await writeFileAtomic(file, configToYaml(config, sources));
  return file;
}
