// What the host knows about one registered function after indexing it: the binding metadata exactly
// as '@azure/functions' registered it, plus the trigger settings the host derives from it (route,
// Event Hub source, timer schedule) with %AppSetting% expressions resolved, or the indexing error
// that keeps the function from running (as the host logs "Error indexing method 'Functions.x'").
import { resolveAppSettingExpression } from './appSettingExpression';
import type { RegisteredFunction } from './functionsCore';
import type { RpcBindingInfo, RpcRetryOptions } from './rpcTypes';

export interface HttpTriggerSettings {
  /** Route template without the host's route prefix; the function name when none was given. */
  readonly route: string;
  readonly methods: readonly string[];
  readonly authLevel: string;
}

export interface EventHubTriggerSettings {
  readonly connection: string;
  readonly eventHubName: string;
  readonly cardinality: 'one' | 'many';
  readonly consumerGroup: string;
  readonly dataType?: string;
}

export interface TimerTriggerSettings {
  readonly schedule: string;
  readonly runOnStartup: boolean;
  readonly useMonitor: boolean;
}

export interface FunctionRegistration {
  readonly name: string;
  readonly triggerType: string;
  readonly triggerBindingName: string;
  readonly bindings: Readonly<Record<string, RpcBindingInfo>>;
  readonly retryOptions?: RpcRetryOptions;
  readonly http?: HttpTriggerSettings;
  readonly eventHub?: EventHubTriggerSettings;
  readonly timer?: TimerTriggerSettings;
  /** Set when the host could not index the function; it is listed but never invoked. */
  readonly indexingError?: string;
}

export function isTriggerType(type: string): boolean {
  return /trigger$/i.test(type);
}

export function describeRegistration(registered: RegisteredFunction, env: NodeJS.ProcessEnv): FunctionRegistration {
  const { metadata } = registered;
  const triggerEntry = Object.entries(metadata.bindings).find(([, b]) => isTriggerType(b.type));
  if (!triggerEntry) {
    return {
      name: metadata.name,
      triggerType: 'unknown',
      triggerBindingName: '',
      bindings: metadata.bindings,
      indexingError: `Function '${metadata.name}' has no trigger binding.`,
    };
  }
  const [triggerBindingName, trigger] = triggerEntry;
  const base = {
    name: metadata.name,
    triggerType: trigger.type,
    triggerBindingName,
    bindings: metadata.bindings,
    ...(metadata.retryOptions ? { retryOptions: metadata.retryOptions } : {}),
  };
  try {
    const type = trigger.type.toLowerCase();
    if (type === 'httptrigger') return { ...base, http: httpSettings(metadata.name, trigger) };
    if (type === 'eventhubtrigger') return { ...base, eventHub: eventHubSettings(trigger, env) };
    if (type === 'timertrigger') return { ...base, timer: timerSettings(trigger, env) };
    return base;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...base, indexingError: `Error indexing method 'Functions.${metadata.name}': ${reason}` };
  }
}

function httpSettings(functionName: string, trigger: RpcBindingInfo): HttpTriggerSettings {
  const route = typeof trigger['route'] === 'string' && trigger['route'] !== '' ? trigger['route'] : functionName;
  const methods = Array.isArray(trigger['methods']) ? trigger['methods'].map((m) => String(m).toUpperCase()) : [];
  const authLevel = typeof trigger['authLevel'] === 'string' ? trigger['authLevel'] : 'function';
  return { route, methods, authLevel };
}

function eventHubSettings(trigger: RpcBindingInfo, env: NodeJS.ProcessEnv): EventHubTriggerSettings {
  const connection = stringProp(trigger, 'connection');
  if (connection === undefined) throw new Error("The Event Hub trigger has no 'connection'.");
  // The extension accepts either a connection string setting or an identity-based prefix.
  if (env[connection] === undefined && env[`${connection}__fullyQualifiedNamespace`] === undefined) {
    throw new Error(
      `Microsoft.Azure.WebJobs.Extensions.EventHubs: EventHub account connection string with name '${connection}' does not exist in the settings. Make sure that it is a defined App Setting.`,
    );
  }
  const eventHubName = stringProp(trigger, 'eventHubName');
  if (eventHubName === undefined) throw new Error("The Event Hub trigger has no 'eventHubName'.");
  const cardinality = stringProp(trigger, 'cardinality') === 'many' ? 'many' : 'one';
  const consumerGroup = stringProp(trigger, 'consumerGroup') ?? '$Default';
  const dataType = stringProp(trigger, 'dataType');
  return {
    connection,
    eventHubName: resolveAppSettingExpression(eventHubName, env),
    cardinality,
    consumerGroup: resolveAppSettingExpression(consumerGroup, env),
    ...(dataType === undefined ? {} : { dataType }),
  };
}

function timerSettings(trigger: RpcBindingInfo, env: NodeJS.ProcessEnv): TimerTriggerSettings {
  const raw = stringProp(trigger, 'schedule');
  if (raw === undefined) throw new Error("The timer trigger has no 'schedule'.");
  const schedule = resolveAppSettingExpression(raw, env);
  if (!isNcrontabOrTimeSpan(schedule)) {
    throw new Error(`The schedule expression '${schedule}' was not recognized as a valid cron expression or timespan string.`);
  }
  return { schedule, runOnStartup: trigger['runOnStartup'] === true, useMonitor: trigger['useMonitor'] !== false };
}

// The host takes six-field NCRONTAB ("{second} {minute} {hour} {day} {month} {day-of-week}") or a
// TimeSpan such as "00:05:00"; a five-field Unix cron is the classic mistake, so it is rejected here too.
function isNcrontabOrTimeSpan(schedule: string): boolean {
  if (/^(\d+\.)?\d{1,2}:\d{2}(:\d{2})?$/.test(schedule)) return true;
  const fields = schedule.trim().split(/\s+/);
  return fields.length === 6 && fields.every((f) => /^[\d*/,\-A-Za-z?]+$/.test(f));
}

function stringProp(binding: RpcBindingInfo, key: string): string | undefined {
  const value = binding[key];
  return typeof value === 'string' ? value : undefined;
}
