/**
 * Service configuration read from environment variables, validated once and frozen.
 * Every variable has a documented default (see README "Configuration"); a bad value stops
 * the service at start with a message naming the variable, the expected form and the value.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];
/** ONNX Runtime execution providers the service can run its model on (both bundled with onnxruntime-node). */
export const ORT_DEVICES = ['cpu', 'webgpu'] as const;
export type OrtDevice = (typeof ORT_DEVICES)[number];

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const DEFAULT_BODY_MIB = 64;
const DEFAULT_BODY_BYTES = DEFAULT_BODY_MIB * MIB;
const MAX_SIDE = 4096;
const MAX_PORT = 65_535;
const MIN_API_KEY_LENGTH = 16;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly modelDir: string;
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxBodyBytes: number;
  readonly maxImagePixels: number;
  readonly maxBatch: number;
  readonly maxQueueDelayUs: number;
  readonly maxQueue: number;
  readonly logLevel: LogLevel;
  readonly apiKey: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly maxEventLoopDelayMs: number;
  /** ONNX Runtime intra-op threads (ORT_THREADS; 0 there: every core but one, at least one). */
  readonly ortThreads: number;
  /** Images decoded at once, the rest waiting their turn in arrival order; 0: no bound. */
  readonly decodeConcurrency: number;
  readonly ortDevice: OrtDevice;
  readonly verifyGolden: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Raised for any invalid variable; the message lists every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

interface IntSpec { readonly def: number; readonly min: number; readonly max: number }

/** Integer variables: name -> default and inclusive bounds. */
const INT_VARS = {
  PORT: { def: 8080, min: 0, max: MAX_PORT },
  MAX_FILES: { def: 64, min: 1, max: 4096 },
  MAX_FILE_BYTES: { def: 10 * MIB, min: 1024, max: GIB },
  MAX_BODY_BYTES: { def: DEFAULT_BODY_BYTES, min: 1024, max: 4 * GIB },
  MAX_IMAGE_PIXELS: { def: MAX_SIDE * MAX_SIDE, min: 1, max: 1_000_000_000 },
  // While one batch runs on the inference thread the next one gathers. With decodes unbounded, 32
  // beat 16 at 64 clients on 2 cores: 409-572 images/s (mean 493) against 420-467 (mean 444).
  MAX_BATCH: { def: 32, min: 1, max: 1024 },
  MAX_QUEUE_DELAY_US: { def: 500, min: 0, max: 10_000_000 },
  MAX_QUEUE: { def: 1024, min: 1, max: 1_000_000 },
  REQUEST_TIMEOUT_MS: { def: 30_000, min: 0, max: 3_600_000 },
  KEEP_ALIVE_TIMEOUT_MS: { def: 72_000, min: 0, max: 3_600_000 },
  SHUTDOWN_TIMEOUT_MS: { def: 10_000, min: 0, max: 3_600_000 },
  MAX_EVENT_LOOP_DELAY_MS: { def: 1000, min: 0, max: 60_000 },
  // 0: one per core but one (at least one): the remaining core parses HTTP and decodes images while a
  // batch runs. 64 clients on 2 cores: 454-617 images/s with 1 thread, 400-484 with 2 (README, "Benchmark").
  ORT_THREADS: { def: 0, min: 0, max: 256 },
  // 0: no bound, every image starts decoding when its bytes are in (the fastest at 64 clients on 2
  // cores, see plugins/app/predictor.ts); N: at most N at once, the rest wait in arrival order.
  DECODE_CONCURRENCY: { def: 0, min: 0, max: 256 },
} as const satisfies Record<string, IntSpec>;

type IntVar = keyof typeof INT_VARS;

function readInt(env: Env, name: IntVar, problems: string[]): number {
  const spec: IntSpec = INT_VARS[name];
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return spec.def;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    problems.push(`${name}: expected an integer from ${spec.min} to ${spec.max}, got '${raw}'`);
    return spec.def;
  }
  return value;
}

function readBool(env: Env, name: string, def: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name}: expected true or false, got '${env[name] ?? ''}'`);
  return def;
}

function readLogLevel(env: Env, problems: string[]): LogLevel {
  const raw = env.LOG_LEVEL?.trim();
  if (raw === undefined || raw === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === raw);
  if (level === undefined) problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return level ?? 'info';
}

function readOrtDevice(env: Env, problems: string[]): OrtDevice {
  const raw = env.ORT_DEVICE?.trim();
  if (raw === undefined || raw === '') return 'cpu';
  const device = ORT_DEVICES.find((d) => d === raw);
  if (device === undefined) problems.push(`ORT_DEVICE: expected one of ${ORT_DEVICES.join(', ')}, got '${raw}'`);
  return device ?? 'cpu';
}

function readApiKey(env: Env, problems: string[]): string | undefined {
  const raw = env.API_KEY;
  if (raw === undefined || raw === '') return undefined;
  // A short key is guessable; refuse it rather than give a false sense of protection.
  if (raw.length < MIN_API_KEY_LENGTH) problems.push(`API_KEY: expected at least ${MIN_API_KEY_LENGTH} characters, got ${raw.length}`);
  return raw;
}

function readCors(env: Env, problems: string[]): string[] {
  const raw = env.CORS_ORIGINS?.trim();
  if (raw === undefined || raw === '') return [];
  const origins = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS: '${origin}' is not '*' or an origin like https://example.org`);
    }
  }
  return origins;
}

/**
 * Where the bundle is looked for when MODEL_DIR is not set, relative to the working directory:
 * `local`, where `npm run model:pull` puts it, then `sibling`, where `npm run train` in the
 * modeling pipeline beside this package publishes it. The one definition of both.
 */
export const DEFAULT_MODEL_DIRS = { local: 'models', sibling: '../modeling-repo/models' } as const;

/**
 * The bundle folder when MODEL_DIR is not set: the local folder when it holds a model, else the
 * sibling one when that does; else the local one (so the refusal names the usual place).
 */
export function defaultModelDir(cwd: string): string {
  const local = resolve(cwd, DEFAULT_MODEL_DIRS.local);
  const sibling = resolve(cwd, DEFAULT_MODEL_DIRS.sibling);
  const hasModel = (dir: string): boolean => existsSync(resolve(dir, 'model.onnx'));
  return hasModel(local) || !hasModel(sibling) ? local : sibling;
}

/** The default ONNX Runtime intra-op threads: every core but one, at least one. */
function inferenceThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Reads and validates the whole configuration; throws ConfigError listing every bad variable. */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const int = (name: IntVar): number => readInt(env, name, problems);
  const modelDir = env.MODEL_DIR?.trim();
  const config: Config = {
    port: int('PORT'),
    host: env.HOST?.trim() === undefined || env.HOST.trim() === '' ? '0.0.0.0' : env.HOST.trim(),
    modelDir: modelDir === undefined || modelDir === '' ? defaultModelDir(cwd) : resolve(cwd, modelDir),
    maxFiles: int('MAX_FILES'),
    maxFileBytes: int('MAX_FILE_BYTES'),
    maxBodyBytes: int('MAX_BODY_BYTES'),
    maxImagePixels: int('MAX_IMAGE_PIXELS'),
    maxBatch: int('MAX_BATCH'),
    maxQueueDelayUs: int('MAX_QUEUE_DELAY_US'),
    maxQueue: int('MAX_QUEUE'),
    logLevel: readLogLevel(env, problems),
    apiKey: readApiKey(env, problems),
    corsOrigins: readCors(env, problems),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS'),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS'),
    maxEventLoopDelayMs: int('MAX_EVENT_LOOP_DELAY_MS'),
    ortThreads: int('ORT_THREADS') || inferenceThreads(),
    decodeConcurrency: int('DECODE_CONCURRENCY'),
    ortDevice: readOrtDevice(env, problems),
    verifyGolden: readBool(env, 'VERIFY_GOLDEN', true, problems),
  };
  // A request that can never fit in the queue would always be refused: catch it at start.
  const minQueue = Math.max(config.maxBatch, config.maxFiles);
  if (config.maxQueue < minQueue) problems.push(`MAX_QUEUE (${config.maxQueue}) must be at least MAX_BATCH and MAX_FILES (${minQueue})`);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
