/** Experiment tracking: the ClearML client behind the run records' tracker hooks. */
import type { TrackingConfig } from '../config/index.js';
import { ClearMLTracker, type ClearMLTrackerOptions } from './clearml.js';
import { clearmlSettings } from './clearml-config.js';

export { ClearMLTracker, hyperparams, metricOf, type ClearMLTrackerOptions } from './clearml.js';
export { clearmlSettings, deriveHosts, readClearMLConf, type ClearMLSettings } from './clearml-config.js';

/**
 * A ClearML tracker when credentials are configured (CLEARML_API_* variables or a clearml.conf),
 * otherwise undefined: tracking is optional and the local run records are always written.
 */
export function clearmlTrackerFromEnv(
  tracking: TrackingConfig,
  env: NodeJS.ProcessEnv = process.env,
  extra: Partial<ClearMLTrackerOptions> = {},
): ClearMLTracker | undefined {
  const settings = clearmlSettings(env);
  if (settings === undefined) return undefined;
  return new ClearMLTracker(settings, { project: tracking.clearml.project, taskName: tracking.clearml.taskName, ...extra });
}
