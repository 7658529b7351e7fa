import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';

/**
 * The one schema of the training configuration. `configs/defaults.yaml` documents every key; this
 * file says which keys exist and what type each has. Objects are closed (`additionalProperties:
 * false`) so that a misspelt key is an error instead of a silently ignored setting.
 */

/** Marks string keys holding file-system paths: the loader resolves them against the package root. */
export const PATH_MARK = 'x-path';

/** The eight symmetries of the square, the augmentation names `train.augment.dihedral` accepts. */
export const DIHEDRAL_TRANSFORMS = [
  'identity', 'rot90', 'rot180', 'rot270', 'flipH', 'flipV', 'transpose', 'antitranspose',
] as const;
export type DihedralTransform = (typeof DIHEDRAL_TRANSFORMS)[number];

const closed = { additionalProperties: false } as const;

type LiteralTuple<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };

/** A union of string literals whose static type keeps the literals (`'fail' | 'skip'`, not `string`). */
function oneOf<const T extends readonly string[]>(values: T): TUnion<LiteralTuple<T>> {
  return Type.Union(values.map((value) => Type.Literal(value))) as unknown as TUnion<LiteralTuple<T>>;
}

const pathString = (): ReturnType<typeof Type.String> => Type.String({ [PATH_MARK]: true });
const positiveInt = (): ReturnType<typeof Type.Integer> => Type.Integer({ minimum: 1 });
const nonNegativeInt = (): ReturnType<typeof Type.Integer> => Type.Integer({ minimum: 0 });
const fraction = (): ReturnType<typeof Type.Number> => Type.Number({ minimum: 0, maximum: 1 });
/** Beyond twice the blur (or as much sharpening) a 32 px chip no longer looks like any resampler's. */
const MAX_SHARPNESS_STRENGTH = 2;
/** The stratified split numbers its parts in a byte; far more folds than anyone trains. */
const MAX_FOLDS = 255;

const SyntheticSchema = Type.Object({
  enabled: Type.Boolean(),
  count: positiveInt(),
  size: Type.Optional(positiveInt()),
}, closed);

const DataSchema = Type.Object({
  labels: pathString(),
  sources: Type.Array(pathString()),
  onInvalid: oneOf(['fail', 'skip']),
  cacheDir: pathString(),
  valFraction: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  // Optional: unset, the split follows `seed` (and configurations saved before the key load).
  splitSeed: Type.Optional(nonNegativeInt()),
  // Optional for the same reason; count 1 is no K-fold training.
  folds: Type.Optional(Type.Object({ count: Type.Integer({ minimum: 1, maximum: MAX_FOLDS }), index: nonNegativeInt() }, closed)),
  limit: nonNegativeInt(),
  synthetic: SyntheticSchema,
}, closed);

const BackboneSchema = Type.Object({
  kind: oneOf(['mobilenet_v2', 'tiny_cnn']),
  format: oneOf(['onnx', 'tflite']),
  path: pathString(),
  url: Type.String(),
  sha256: Type.Union([Type.Literal(''), Type.String({ pattern: '^[0-9a-f]{64}$' })]),
  cacheDir: pathString(),
}, closed);

const ModelSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  inputSize: positiveInt(),
  trainSize: positiveInt(),
  backbone: BackboneSchema,
}, closed);

const TrainSchema = Type.Object({
  epochs: positiveInt(),
  batchSize: positiveInt(),
  trainable: oneOf(['head', 'last_k', 'all']),
  lastK: nonNegativeInt(),
  lr: Type.Number({ exclusiveMinimum: 0 }),
  lrMultipliers: Type.Object({ backbone: Type.Number({ minimum: 0 }), head: Type.Number({ minimum: 0 }) }, closed),
  weightDecay: Type.Number({ minimum: 0 }),
  // Optional so that configurations saved before the key existed still load (they trained without it).
  labelSmoothing: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
  emaDecay: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
  positiveWeight: Type.Optional(Type.Object({ power: Type.Number({ minimum: 0 }), max: Type.Number({ minimum: 1 }) }, closed)),
  beta1: Type.Number({ minimum: 0, exclusiveMaximum: 1 }),
  beta2: Type.Number({ minimum: 0, exclusiveMaximum: 1 }),
  eps: Type.Number({ exclusiveMinimum: 0 }),
  warmupSteps: nonNegativeInt(),
  warmupFraction: fraction(),
  minLrFraction: fraction(),
  earlyStopping: Type.Object({ patience: nonNegativeInt(), minDelta: Type.Number({ minimum: 0 }) }, closed),
  augment: Type.Object({
    dihedral: Type.Union([Type.Boolean(), Type.Array(oneOf(DIHEDRAL_TRANSFORMS), { minItems: 1 })]),
    sharpness: Type.Optional(Type.Object({
      probability: fraction(),
      strength: Type.Number({ minimum: 0, maximum: MAX_SHARPNESS_STRENGTH }),
    }, closed)),
    mixup: Type.Optional(Type.Object({ probability: fraction(), alpha: Type.Number({ exclusiveMinimum: 0 }) }, closed)),
  }, closed),
  checkpointEvery: nonNegativeInt(),
  stepsPerRun: Type.Optional(positiveInt()),
}, closed);

const EvalSchema = Type.Object({
  thresholdStart: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  thresholdStep: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  passes: positiveInt(),
}, closed);

const GOLDEN_MINIMUM = 8;

export const ConfigSchema = Type.Object({
  experiment: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$' }),
  seed: nonNegativeInt(),
  device: oneOf(['cpu', 'webgpu', 'cuda']),
  threads: nonNegativeInt(),
  kernels: oneOf(['auto', 'nchwc', 'plain']),
  data: DataSchema,
  model: ModelSchema,
  train: TrainSchema,
  eval: EvalSchema,
  export: Type.Object({
    goldenCount: Type.Integer({ minimum: GOLDEN_MINIMUM }),
    name: Type.String({ minLength: 1 }),
    publishDir: pathString(),
    // Optional so that configurations saved before the key existed still load (resume, re-export).
    tta: Type.Optional(Type.Boolean()),
  }, closed),
  runs: Type.Object({ dir: pathString() }, closed),
  tracking: Type.Object({
    clearml: Type.Object({ project: Type.String(), taskName: Type.String() }, closed),
  }, closed),
}, closed);

/** The resolved, validated configuration. Loaded configs are deeply frozen, hence `Readonly`. */
export type Config = DeepReadonly<Static<typeof ConfigSchema>>;
export type DataConfig = Config['data'];
export type ModelConfig = Config['model'];
export type BackboneConfig = Config['model']['backbone'];
export type TrainConfig = Config['train'];
export type EvalConfig = Config['eval'];
export type ExportConfig = Config['export'];
export type TrackingConfig = Config['tracking'];
export type Device = Config['device'];
export type Kernels = Config['kernels'];

export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

interface ObjectLike { readonly properties: Record<string, TSchema> }

function isObjectSchema(schema: TSchema): schema is TSchema & ObjectLike {
  return typeof (schema as Partial<ObjectLike>).properties === 'object';
}

/**
 * The sub-schema at a dotted key path, or undefined when the schema has no such key. Lists are
 * replaced whole, so paths never go inside them.
 */
export function schemaAt(path: readonly string[], root: TSchema = ConfigSchema): TSchema | undefined {
  let node: TSchema | undefined = root;
  for (const key of path) {
    if (node === undefined || !isObjectSchema(node) || !Object.hasOwn(node.properties, key)) return undefined;
    node = node.properties[key];
  }
  return node;
}

/** The keys an object schema allows at `path` (for "did you mean" hints); empty for leaves. */
export function keysAt(path: readonly string[], root: TSchema = ConfigSchema): string[] {
  const node = schemaAt(path, root);
  return node !== undefined && isObjectSchema(node) ? Object.keys(node.properties) : [];
}

/** True when the schema node is an object (a section), not a value. */
export function isSection(schema: TSchema): boolean {
  return isObjectSchema(schema);
}

/** Every leaf key of the schema as a dotted path, in schema order (used by docs checks). */
export function leafPaths(root: TSchema = ConfigSchema, prefix: readonly string[] = []): string[] {
  if (!isObjectSchema(root)) return [prefix.join('.')];
  return Object.entries(root.properties).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}
