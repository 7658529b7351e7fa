import { availableParallelism } from 'node:os';

import cliProgress from 'cli-progress';

import { cacheKey, readChipCache, writeChipCache, type ChipCacheEntry } from './cache.js';
import { chipBytes, type ChipSet } from './chipset.js';
import { decodeChip } from './decode.js';
import {
  enforcePolicy, NUM_LABELS, readLabels, type DataIssue, type InvalidPolicy, type LabelTable,
} from './labels.js';
import { collectImages, signSource, type ImageEntry } from './sources.js';

/** Where the labelled chips come from and how to treat bad input. */
export interface LoadOptions {
  /** Labels CSV (`image_name,tags`). */
  readonly labels: string;
  /** Folders or tars of images; see `collectImages` for names found in several. */
  readonly sources: readonly string[];
  /** Model input side S. */
  readonly size: number;
  readonly onInvalid: InvalidPolicy;
  /** Cache folder; an empty string turns the cache off. */
  readonly cacheDir: string;
  /** Keep only the first `limit` labelled rows (0: all), for quick experiments. */
  readonly limit?: number;
  /** Show a progress bar while decoding (default: when stderr is a terminal). */
  readonly progress?: boolean;
}

/** What loading found, for the run log and the model card. */
export interface LoadReport {
  readonly rows: number;
  readonly chips: number;
  readonly fromCache: boolean;
  readonly skippedRows: number;
  /** Missing and unreadable images (left out under `skip`). */
  readonly imageIssues: readonly DataIssue[];
  readonly decodeSeconds: number;
}

const DECODE_CONCURRENCY_PER_CORE = 2;

function startBar(total: number, enabled: boolean): cliProgress.SingleBar | undefined {
  if (!enabled) return undefined;
  const bar = new cliProgress.SingleBar({
    stream: process.stderr, format: 'decoding {bar} {value}/{total} chips | {eta_formatted} left', etaBuffer: 200,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/**
 * Decodes entries to S x S chips with a few decodes in flight (libvips works on its own threads).
 * Returns the chips of the entries that decoded, in order, and an issue per unreadable one.
 */
export async function decodeEntries(
  entries: readonly ImageEntry[], size: number, progress: boolean,
): Promise<ChipCacheEntry> {
  const bytes = chipBytes(size);
  const chips: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(entries.length);
  const issues: DataIssue[] = [];
  const bar = startBar(entries.length, progress);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      const entry = entries[i];
      if (entry === undefined) continue;
      try {
        chips[i] = await decodeChip(await entry.read(), size, entry.file);
      } catch (error) {
        issues.push({ where: entry.file, message: (error as Error).message });
      }
      bar?.increment();
    }
  };
  const workers = Math.max(1, availableParallelism() * DECODE_CONCURRENCY_PER_CORE);
  await Promise.all(Array.from({ length: workers }, worker));
  bar?.stop();
  const names: string[] = [];
  const images = new Uint8Array(chips.filter((chip) => chip !== undefined).length * bytes);
  chips.forEach((chip, i) => {
    if (chip === undefined) return;
    images.set(chip, names.length * bytes);
    names.push(entries[i]?.name ?? '');
  });
  issues.sort((a, b) => a.where.localeCompare(b.where));
  return { size, names, images, issues };
}

/** Finds and decodes the labelled images; issues for names with no image come first. */
async function decodeLabelled(names: readonly string[], options: LoadOptions): Promise<ChipCacheEntry> {
  const { images } = await collectImages(options.sources, new Set(names));
  const missing: DataIssue[] = [];
  const entries: ImageEntry[] = [];
  for (const name of names) {
    const entry = images.get(name);
    if (entry === undefined) missing.push({ where: options.labels, message: `no image for "${name}" in ${options.sources.join(', ')}` });
    else entries.push(entry);
  }
  // Fail before the long decode when images are missing and the policy is to fail.
  enforcePolicy(options.onInvalid === 'fail' ? missing : [], 'fail', 'missing image(s)');
  const progress = options.progress ?? process.stderr.isTTY;
  const decoded = await decodeEntries(entries, options.size, progress);
  return { ...decoded, issues: [...missing, ...decoded.issues] };
}

/** Decoded chips for `names`, from the cache when it has them, else decoded (and cached). */
async function chipsFor(
  names: readonly string[], options: LoadOptions,
): Promise<{ readonly entry: ChipCacheEntry; readonly fromCache: boolean }> {
  const signatures = await Promise.all(options.sources.map((path) => signSource(path)));
  const key = cacheKey({ size: options.size, sources: signatures, names });
  if (options.cacheDir !== '') {
    const cached = await readChipCache(options.cacheDir, key, options.size);
    if (cached !== undefined) return { entry: cached, fromCache: true };
  }
  const entry = await decodeLabelled(names, options);
  if (options.cacheDir !== '') await writeChipCache(options.cacheDir, key, entry, signatures);
  return { entry, fromCache: false };
}

/** Pairs decoded chips with their label rows. */
function joinTargets(labels: LabelTable, entry: ChipCacheEntry): Float32Array {
  const rowOf = new Map(labels.names.map((name, row) => [name, row]));
  const targets = new Float32Array(entry.names.length * NUM_LABELS);
  entry.names.forEach((name, i) => {
    const row = rowOf.get(name) ?? 0;
    targets.set(labels.targets.subarray(row * NUM_LABELS, (row + 1) * NUM_LABELS), i * NUM_LABELS);
  });
  return targets;
}

/**
 * Loads a labelled data set in the competition layout: validates the labels, finds every
 * labelled image in the sources, decodes and resizes it (or reads the cache), and applies the
 * invalid-data policy to bad rows, missing images and unreadable images.
 */
export async function loadChipSet(options: LoadOptions): Promise<{ readonly set: ChipSet; readonly report: LoadReport }> {
  const started = performance.now();
  const labels = await readLabels(options.labels, options.onInvalid);
  const limit = options.limit ?? 0;
  const names = limit > 0 ? labels.names.slice(0, limit) : labels.names;
  const { entry, fromCache } = await chipsFor(names, options);
  enforcePolicy(entry.issues, options.onInvalid, 'missing or unreadable image(s)');
  const set: ChipSet = { size: options.size, names: entry.names, images: entry.images, targets: joinTargets(labels, entry) };
  const report: LoadReport = {
    rows: names.length, chips: entry.names.length, fromCache, skippedRows: labels.skipped.length,
    imageIssues: entry.issues, decodeSeconds: (performance.now() - started) / 1000,
  };
  return { set, report };
}
