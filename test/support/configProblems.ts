import { ConfigError, loadConfig } from '../../src/config';

/** The settings every configuration needs; nothing is connected to with them. */
export const minimalSettings: Readonly<Record<string, string>> = {
  IOTHUB_CONNECTION_STRING: 'HostName=hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5',
  PRODUCT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

/** The problems loadConfig names for `env`; fails the test when it accepts it. */
export function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
