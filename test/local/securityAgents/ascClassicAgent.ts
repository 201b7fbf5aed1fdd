// The Azure IoT Security C agent (module azureiotsecurity, AGC Release 0.0.6) as it handles a desired
// configuration and reports back (domain.md §1.4–1.5, AGC twin_configuration.c,
// twin_configuration_event_collectors.c, twin_configuration_utils.c, json_object_reader.c):
// - the configuration object `ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration`; missing or null
//   means every setting at its default, anything else that is not an object is a parse error;
// - each key the agent knows is read as `{ "value": x }`: key missing or null → the agent's default; an
//   entry that is not an object, a missing or null `value`, or a value of the wrong JSON type is a parse
//   error; keys it does not know are ignored;
// - integers are JSON numbers cast to int32; durations are parsed by time_utils.c (cAgentDuration.ts);
//   priorities match "high", "low" or "off" in any case;
// - on any parse error the whole update is refused and the *old* configuration is reported again;
// - it reports its effective configuration, every key wrapped `{ "value": x }`, in its own spelling:
//   priorities in lower case, durations in its canonical form, its own defaults (a 10 MiB cache), only its
//   own keys (none of the C#-only ones; eventPriorityOperational added), string settings only when set.
// The agent writes its object without `null`s, so a key it stops writing stays in the twin as before.
import { isJsonObject, type JsonObject, type JsonValue } from '../iothubSimulator/json';
import type { AgentBehaviour } from './agentBehaviour';
import { formatCAgentDuration, parseCAgentDuration } from './cAgentDuration';

const OBJECT_NAME = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';

type SettingKind = 'integer' | 'duration' | 'boolean' | 'string' | 'priority';
/** A setting's value as the agent keeps it: durations in milliseconds, priorities lower case, unset strings null. */
type AgentValue = number | boolean | string | null;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The settings the C agent knows, with its defaults, in the order it writes them: the configuration
 * (TwinConfiguration_GetSerializedTwinConfiguration), then the event collectors (…_SafeGetPrioritiesJson).
 * eventPriorityOperational defaults to the agent's "operational" priority, which it writes as "high".
 */
const settings: readonly (readonly [name: string, kind: SettingKind, defaultValue: AgentValue])[] = [
  ['maxLocalCacheSizeInBytes', 'integer', 10 * 1024 * 1024],
  ['maxMessageSizeInBytes', 'integer', 200 * 1024],
  ['highPriorityMessageFrequency', 'duration', 7 * MINUTE],
  ['lowPriorityMessageFrequency', 'duration', 5 * HOUR],
  ['snapshotFrequency', 'duration', 13 * HOUR],
  ['baselineCustomChecksEnabled', 'boolean', false],
  ['baselineCustomChecksFilePath', 'string', null],
  ['baselineCustomChecksFileHash', 'string', null],
  ['eventPriorityOSBaseline', 'priority', 'low'],
  ['eventPriorityConnectionCreate', 'priority', 'low'],
  ['eventPriorityDiagnostic', 'priority', 'low'],
  ['eventPriorityFirewallConfiguration', 'priority', 'low'],
  ['eventPriorityListeningPorts', 'priority', 'high'],
  ['eventPriorityLocalUsers', 'priority', 'high'],
  ['eventPriorityLogin', 'priority', 'high'],
  ['eventPriorityOperational', 'priority', 'high'],
  ['eventPriorityProcessCreate', 'priority', 'low'],
  ['eventPrioritySystemInformation', 'priority', 'low'],
  ['aggregationEnabledProcessCreate', 'boolean', true],
  ['aggregationIntervalProcessCreate', 'duration', HOUR],
  ['aggregationEnabledConnectionCreate', 'boolean', true],
  ['aggregationIntervalConnectionCreate', 'duration', HOUR],
];

type Configuration = ReadonlyMap<string, AgentValue>;
type Reading = { readonly configuration: Configuration; readonly invalidFields: readonly string[] };

export const ascClassicAgent: AgentBehaviour = (desired, reported, refused) => {
  const { configuration, invalidFields } = readConfiguration(desired[OBJECT_NAME], refused);
  const effective = invalidFields.length === 0 ? configuration : currentConfiguration(reported);
  return { reported: { [OBJECT_NAME]: writeConfiguration(effective) }, invalidFields };
};

/** What the agent runs with now: what it last reported (it reports after every update), else its defaults. */
function currentConfiguration(reported: JsonObject): Configuration {
  const reading = readConfiguration(reported[OBJECT_NAME], new Set());
  return reading.invalidFields.length === 0 ? reading.configuration : readConfiguration(undefined, new Set()).configuration;
}

function readConfiguration(container: JsonValue | undefined, refused: ReadonlySet<string>): Reading {
  if (container !== undefined && container !== null && !isJsonObject(container)) return { configuration: new Map(), invalidFields: [OBJECT_NAME] };
  const object = container ?? {};
  const configuration = new Map<string, AgentValue>();
  const invalidFields: string[] = [];
  for (const [name, kind, defaultValue] of settings) {
    const entry = Object.hasOwn(object, name) ? object[name] : undefined;
    if (entry === undefined || entry === null) {
      configuration.set(name, defaultValue);
      continue;
    }
    const value = refused.has(name) ? undefined : readEntry(kind, entry);
    if (value === undefined) invalidFields.push(name);
    else configuration.set(name, value);
  }
  return { configuration, invalidFields };
}

/** One `{ "value": x }` entry; undefined for a parse error. */
function readEntry(kind: SettingKind, entry: JsonValue): AgentValue | undefined {
  if (!isJsonObject(entry)) return undefined;
  const value = entry['value'];
  switch (kind) {
    case 'integer':
      // json_value_get_number assigned to an int32_t: the fraction is dropped (larger values are undefined behaviour in C; wrapped here).
      return typeof value === 'number' ? Math.trunc(value) | 0 : undefined;
    case 'duration':
      return typeof value === 'string' ? parseCAgentDuration(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'priority': {
      const priority = typeof value === 'string' ? value.toLowerCase() : undefined;
      return priority === 'high' || priority === 'low' || priority === 'off' ? priority : undefined;
    }
  }
}

function writeConfiguration(configuration: Configuration): JsonObject {
  const written: JsonObject = {};
  for (const [name, kind] of settings) {
    const value = configuration.get(name) ?? null;
    if (value === null) continue;
    written[name] = { value: kind === 'duration' ? formatCAgentDuration(value as number) : value };
  }
  return written;
}
