/** The process's settings: environment variables (validated once, frozen), command lines, the service's name. */
export { exitWithUsage, noArguments, wantsHelp } from './cli-usage.js';
export { ConfigError, DEFAULT_MODEL_DIRS, loadConfig, ORT_DEVICES, type Config, type Env, type OrtDevice } from './config.js';
export { OIP_MODEL_NAME, SERVICE_NAME, SERVICE_VERSION } from './service-info.js';
