/**
 * Request schemas of the ClearML API calls this package makes, encoded as JSON Schema from
 * clearml-server's published definitions (apiserver/schema/services/{auth,projects,tasks,events,
 * models}.conf). Unknown fields are refused (`additionalProperties: false`) so that a typo in a
 * client request fails loudly here instead of being silently ignored by a real server.
 */
type Schema = Record<string, unknown>;

const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = { type: 'integer' };
const strings = { type: 'array', items: str };

/** tasks.conf `task_type_enum`. */
const TASK_TYPES = ['training', 'testing', 'inference', 'data_processing', 'application', 'monitor', 'controller', 'optimizer', 'service', 'qc', 'custom'];

/** tasks.conf `params_item` and `configuration_item`. */
const paramsItem = { type: 'object', properties: { section: str, name: str, value: str, type: str, description: str }, additionalProperties: false };
const configurationItem = { type: 'object', properties: { name: str, value: str, type: str, description: str }, additionalProperties: false };

/** tasks.conf `_references.status_change_request` with `force`. */
function statusChange(extra: Schema = {}): Schema {
  return {
    type: 'object',
    required: ['task'],
    properties: { task: str, status_reason: str, status_message: str, force: bool, ...extra },
    additionalProperties: false,
  };
}

/** events.conf `metrics_scalar_event`: the only event type this package sends. */
export const SCALAR_EVENT: Schema = {
  type: 'object',
  required: ['task', 'type'],
  properties: {
    timestamp: { type: 'number' },
    type: { const: 'training_stats_scalar' },
    task: str,
    iter: int,
    metric: str,
    variant: str,
    value: { type: 'number' },
  },
  additionalProperties: false,
};

/** Endpoint → its request schema and the API version that introduced it. */
export const REQUEST_SCHEMAS: Record<string, { version: string; schema: Schema }> = {
  'auth.login': { version: '2.1', schema: { type: 'object', properties: { expiration_sec: int }, additionalProperties: false } },
  'projects.get_all_ex': {
    version: '2.1',
    schema: {
      type: 'object',
      properties: {
        id: strings, name: str, basename: str, description: str, tags: strings, system_tags: strings, order_by: strings,
        page: { type: 'integer', minimum: 0 }, page_size: { type: 'integer', minimum: 1 }, search_text: str, only_fields: strings,
        include_stats: bool, non_public: bool, shallow_search: bool, search_hidden: bool, allow_public: bool,
        scroll_id: str, refresh_scroll: bool, size: { type: 'integer', minimum: 1 },
      },
      dependencies: { page: ['page_size'] },
      additionalProperties: false,
    },
  },
  'projects.create': {
    version: '2.1',
    schema: {
      type: 'object',
      required: ['name'],
      properties: { name: str, description: str, tags: strings, system_tags: strings, default_output_destination: str },
      additionalProperties: false,
    },
  },
  'tasks.create': {
    version: '2.1',
    schema: {
      type: 'object',
      required: ['name', 'type'],
      properties: {
        name: str, tags: strings, system_tags: strings, type: { type: 'string', enum: TASK_TYPES }, comment: str, parent: str,
        project: str, output_dest: str, execution: { type: 'object' }, script: { type: 'object' },
        hyperparams: { type: 'object', additionalProperties: { type: 'object', additionalProperties: paramsItem } },
        configuration: { type: 'object', additionalProperties: configurationItem },
      },
      additionalProperties: false,
    },
  },
  'tasks.edit_hyper_params': {
    version: '2.9',
    schema: {
      type: 'object',
      required: ['task', 'hyperparams'],
      properties: { task: str, hyperparams: { type: 'array', items: paramsItem }, replace_hyperparams: { type: 'string', enum: ['none', 'section', 'all'] }, force: bool },
      additionalProperties: false,
    },
  },
  'tasks.edit_configuration': {
    version: '2.9',
    schema: {
      type: 'object',
      required: ['task', 'configuration'],
      properties: { task: str, configuration: { type: 'array', items: configurationItem }, replace_configuration: bool, force: bool },
      additionalProperties: false,
    },
  },
  'tasks.started': { version: '2.1', schema: statusChange() },
  'tasks.completed': { version: '2.2', schema: statusChange({ publish: bool }) },
  'tasks.failed': { version: '2.1', schema: statusChange() },
  'tasks.stopped': { version: '2.1', schema: statusChange() },
  'models.create': {
    version: '2.1',
    schema: {
      type: 'object',
      required: ['uri', 'name'],
      properties: {
        uri: str, name: str, comment: str, tags: strings, system_tags: strings, framework: str,
        design: { type: 'object' }, labels: { type: 'object', additionalProperties: int }, ready: bool, public: bool,
        project: str, parent: str, task: str, metadata: { type: 'object' },
      },
      additionalProperties: false,
    },
  },
  'models.update_for_task': {
    version: '2.1',
    schema: {
      type: 'object',
      required: ['task'],
      properties: { task: str, uri: str, name: str, comment: str, tags: strings, system_tags: strings, override_model_id: str, iteration: int },
      // "Exactly one of uri or override_model_id is required."
      oneOf: [{ required: ['uri'] }, { required: ['override_model_id'] }],
      additionalProperties: false,
    },
  },
};
