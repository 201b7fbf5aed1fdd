import type { Config } from './config';
import { loadConfig } from './loadConfig';

export type { Config } from './config';
export { ConfigError } from './configError';
export { loadConfig } from './loadConfig';

/** The app's settings from the process environment (App Settings in Azure, local.settings.json locally). */
export function loadConfigFromEnvironment(): Config {
  return loadConfig(process.env);
}
