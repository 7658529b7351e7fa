/**
 * The JSON Schema of `dvc.yaml` as DVC publishes it (iterative/dvcyaml-schema, `schema.json`,
 * generated from DVC's own stage models), re-encoded for the keys a stage can have: unknown keys
 * are errors there too, so a typo here would also break `dvc repro`.
 */
type Schema = Record<string, unknown>;

const str = { type: 'string' };
const bool = { type: 'boolean' };
const uniqueStrings = { type: 'array', items: str, uniqueItems: true };

/** `OutFlags`: what an output (or metric) entry may say about itself. */
const OUT_FLAGS = {
  cache: bool, persist: bool, checkpoint: bool, desc: str, type: str, labels: uniqueStrings,
  meta: { type: 'object' }, remote: str, push: bool,
};
/** `PlotFlags`: output flags plus how to draw the plot. */
const PLOT_FLAGS = { ...OUT_FLAGS, x: str, y: str, x_label: str, y_label: str, title: str, header: bool, template: str };

/** A path, or `{path: {flags}}`. */
function pathWithFlags(flags: Schema): Schema {
  return { anyOf: [str, { type: 'object', additionalProperties: { type: 'object', properties: flags, additionalProperties: false } }] };
}

const VARS = { type: 'array', items: { anyOf: [str, { type: 'object' }] } };

const PARAM = {
  anyOf: [
    str,
    { type: 'object', additionalProperties: { type: 'array', items: str, uniqueItems: true } },
    { type: 'object', additionalProperties: { type: 'null' } },
  ],
};

const STAGE: Schema = {
  type: 'object',
  required: ['cmd'],
  properties: {
    cmd: { anyOf: [str, { type: 'array', items: str }] },
    wdir: str,
    deps: uniqueStrings,
    params: { type: 'array', items: PARAM, uniqueItems: true },
    outs: { type: 'array', items: pathWithFlags(OUT_FLAGS), uniqueItems: true },
    metrics: { type: 'array', items: pathWithFlags(OUT_FLAGS), uniqueItems: true },
    plots: { type: 'array', items: pathWithFlags(PLOT_FLAGS), uniqueItems: true },
    frozen: bool,
    always_changed: bool,
    vars: VARS,
    desc: str,
    meta: {},
  },
  additionalProperties: false,
};

export const DVC_YAML_SCHEMA: Schema = {
  title: 'dvc.yaml',
  type: 'object',
  properties: {
    vars: VARS,
    stages: {
      type: 'object',
      additionalProperties: {
        oneOf: [
          { type: 'object', required: ['foreach', 'do'], properties: { foreach: {}, do: STAGE }, additionalProperties: false },
          STAGE,
        ],
      },
    },
    plots: { type: 'array', items: { anyOf: [str, { type: 'object' }] } },
    params: uniqueStrings,
    metrics: uniqueStrings,
    artifacts: { type: 'object' },
  },
  additionalProperties: false,
};
