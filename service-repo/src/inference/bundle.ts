/**
 * Reading and checking a model bundle (`model.onnx`, `model.json`, `golden.json`) against the model
 * contract. Every check that fails becomes one line of a BundleError, so an operator sees all that is
 * wrong with a bundle at once, each line naming the file and the field.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { InferenceSession } from 'onnxruntime-node';
import { BUNDLE_FILES, LABEL_COUNT, MIN_GOLDEN_SAMPLES, PLANET_LABELS, RGB_CHANNELS } from '../contract/index.js';
import { isSupportedKernel, SUPPORTED_KERNELS } from '../image/index.js';
import { GoldenSchema, ModelCardSchema, type GoldenSample, type ModelCard } from '../schemas/index.js';

export interface Bundle {
  readonly dir: string;
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
  readonly golden: readonly GoldenSample[];
}

export class BundleError extends Error {
  constructor(readonly dir: string, readonly problems: readonly string[]) {
    super(`model bundle ${dir} is refused:\n  ${problems.join('\n  ')}`);
    this.name = 'BundleError';
  }
}

async function readBundleFile(dir: string, file: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(error)})`;
    throw new BundleError(dir, [`${file} ${why}`]);
  }
}

function parseJson(dir: string, file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new BundleError(dir, [`${file} is not valid JSON (${(error as Error).message})`]);
  }
}

/** Schema problems as `file: /json/pointer: message` lines (first few only, they tend to cascade). */
function schemaProblems(file: string, schema: typeof ModelCardSchema | typeof GoldenSchema, value: unknown): string[] {
  const shown = 10;
  return [...Value.Errors(schema, value)].slice(0, shown).map((e) => `${file}: ${e.path === '' ? '/' : e.path}: ${e.message}`);
}

/** Contract rules that a JSON schema does not express: label order, thresholds, resize chain. */
function cardProblems(card: ModelCard): string[] {
  const file = BUNDLE_FILES.card;
  const problems: string[] = [];
  if (card.labels.length !== LABEL_COUNT || card.labels.some((l, i) => l !== PLANET_LABELS[i])) {
    problems.push(`${file}: labels must be the ${LABEL_COUNT} Planet tags in order (${PLANET_LABELS.join(', ')}), got ${JSON.stringify(card.labels)}`);
  }
  const missing = PLANET_LABELS.filter((l) => typeof card.thresholds[l] !== 'number');
  if (missing.length > 0) problems.push(`${file}: thresholds missing for ${missing.join(', ')}`);
  card.input.resize.forEach((step, i) => {
    if (!isSupportedKernel(step.kernel)) {
      problems.push(`${file}: input.resize[${i}].kernel '${step.kernel}' is not supported (supported: ${SUPPORTED_KERNELS.join(', ')})`);
    }
  });
  const last = card.input.resize.at(-1);
  if (last !== undefined && last.to !== card.input.size) {
    problems.push(`${file}: input.resize must end at input.size ${card.input.size}, ends at ${last.to}`);
  }
  return problems;
}

function goldenProblems(golden: readonly GoldenSample[]): string[] {
  const file = BUNDLE_FILES.golden;
  const problems: string[] = [];
  if (golden.length < MIN_GOLDEN_SAMPLES) problems.push(`${file}: has ${golden.length} samples, the contract asks for at least ${MIN_GOLDEN_SAMPLES}`);
  golden.forEach((sample, i) => {
    if (sample.probabilities.length !== LABEL_COUNT) {
      problems.push(`${file}: [${i}] ${sample.name}: probabilities has ${sample.probabilities.length} values, expected ${LABEL_COUNT}`);
    }
  });
  return problems;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Validates a parsed model card; throws BundleError listing every problem. */
function validateCard(dir: string, value: unknown): ModelCard {
  const problems = schemaProblems(BUNDLE_FILES.card, ModelCardSchema, value);
  if (problems.length > 0) throw new BundleError(dir, problems);
  const card = value as ModelCard;
  const more = cardProblems(card);
  if (more.length > 0) throw new BundleError(dir, more);
  return card;
}

/** Reads the three files and checks everything that can be checked without loading the graph. */
export async function readBundle(dir: string): Promise<Bundle> {
  const files = await Promise.allSettled([BUNDLE_FILES.onnx, BUNDLE_FILES.card, BUNDLE_FILES.golden].map((f) => readBundleFile(dir, f)));
  // Every unreadable file at once, in a fixed order.
  const unreadable = files.flatMap((r) => (r.status === 'rejected' ? (r.reason as BundleError).problems : []));
  if (unreadable.length > 0) throw new BundleError(dir, unreadable);
  const [onnx, cardBytes, goldenBytes] = files.map((r) => (r as PromiseFulfilledResult<Buffer>).value) as [Buffer, Buffer, Buffer];
  const card = validateCard(dir, parseJson(dir, BUNDLE_FILES.card, cardBytes));
  const goldenValue = parseJson(dir, BUNDLE_FILES.golden, goldenBytes);
  const problems = schemaProblems(BUNDLE_FILES.golden, GoldenSchema, goldenValue);
  if (problems.length > 0) throw new BundleError(dir, problems);
  const golden = goldenValue as GoldenSample[];
  const digest = sha256Hex(onnx);
  const all = goldenProblems(golden);
  if (digest !== card.onnx.sha256) {
    all.push(`${BUNDLE_FILES.onnx}: sha256 ${digest} does not match ${BUNDLE_FILES.card} onnx.sha256 ${card.onnx.sha256}`);
  }
  if (all.length > 0) throw new BundleError(dir, all);
  return { dir, card, onnx: new Uint8Array(onnx.buffer, onnx.byteOffset, onnx.byteLength), golden };
}

type SessionMetadata = Pick<InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata' | 'outputMetadata'>;

/** A fixed dimension must equal `want`; a symbolic (string) or unknown one is accepted only for N. */
function dimProblem(dim: number | string | undefined, want: number | 'N'): boolean {
  if (want === 'N') return typeof dim === 'number' && dim !== -1;
  return dim !== want;
}

function tensorProblems(meta: InferenceSession.ValueMetadata | undefined, dtype: string, shape: readonly (number | 'N')[]): string[] {
  const name = meta?.name ?? '?';
  if (meta?.isTensor !== true) return [`${BUNDLE_FILES.onnx}: ${name} is not a tensor`];
  const problems: string[] = [];
  if (meta.type !== dtype) problems.push(`${BUNDLE_FILES.onnx}: ${name} has type ${meta.type}, the contract says ${dtype}`);
  const shapeBad = meta.shape.length !== shape.length || shape.some((want, i) => dimProblem(meta.shape[i], want));
  if (shapeBad) {
    problems.push(`${BUNDLE_FILES.onnx}: ${name} has shape [${meta.shape.join(', ')}], the contract says [${shape.join(', ')}] (N dynamic)`);
  }
  return problems;
}

/** Checks the loaded graph's input and output names, types and shapes against the card. */
export function sessionProblems(session: SessionMetadata, card: ModelCard): string[] {
  const file = BUNDLE_FILES.onnx;
  const problems: string[] = [];
  if (session.inputNames.length !== 1 || session.inputNames[0] !== card.input.name) {
    problems.push(`${file}: inputs are [${session.inputNames.join(', ')}], the contract says exactly [${card.input.name}]`);
  }
  if (session.outputNames.length !== 1 || session.outputNames[0] !== card.output.name) {
    problems.push(`${file}: outputs are [${session.outputNames.join(', ')}], the contract says exactly [${card.output.name}]`);
  }
  if (problems.length > 0) return problems;
  const size = card.input.size;
  return [
    ...tensorProblems(session.inputMetadata[0], 'uint8', ['N', size, size, RGB_CHANNELS]),
    ...tensorProblems(session.outputMetadata[0], 'float32', ['N', LABEL_COUNT]),
  ];
}
