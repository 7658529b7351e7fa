/** Public surface of the configuration module. */
export { parseArgs, checkNamed, type ParsedArgs } from './args.js';
export { ConfigError, formatIssue, type ConfigIssue } from './errors.js';
export { loadConfig, loadSavedConfig, listExperiments, type LoadConfigOptions, type LoadedConfig } from './load.js';
export { applyOverrides, isPlainObject, parseOverride, type Override, type OverrideOp } from './overrides.js';
export { configToYaml } from './to-yaml.js';
export {
  ConfigSchema, DIHEDRAL_TRANSFORMS, leafPaths,
  type BackboneConfig, type Config, type DataConfig, type DeepReadonly, type Device, type Kernels, type DihedralTransform,
  type EvalConfig, type ExportConfig, type ModelConfig, type TrackingConfig, type TrainConfig,
} from './schema.js';
