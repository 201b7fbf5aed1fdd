// The setting names `--set` accepts: every app setting (src/config/settingDefinitions.ts, the one list the
// app reads) and the Functions host settings the lab sets itself.
import { settingDefinitions } from '../../../src/config/settingDefinitions';
import { nearestName } from '../../../src/domain/nearestName';

const hostSettingNames: readonly string[] = [
  'FUNCTIONS_WORKER_RUNTIME',
  'AzureWebJobsStorage',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__clientId',
  'DURABLE_TASK_HUB_NAME',
];

function appSettingNames(): string[] {
  return [...new Set([...settingDefinitions.map((definition) => definition.name), ...hostSettingNames])];
}

/** Undefined for a known name; otherwise why it is refused, with the closest known name when one is obvious. */
export function unknownSettingProblem(name: string): string | undefined {
  const known = appSettingNames();
  if (known.includes(name)) return undefined;
  const suggestion = nearestName(name, known);
  return suggestion === undefined
    ? `unknown setting ${name} (the README's Configuration section lists them all)`
    : `unknown setting ${name}; did you mean ${suggestion}?`;
}
