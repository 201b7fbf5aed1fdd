// Turns a TriggerInput into the trigger's RPC value and trigger metadata, in the forms the Functions
// host sends to the Node worker (which declares RpcHttpBodyOnly, RawHttpBodyBytes,
// UseNullableValueDictionaryForHttp and TypedDataCollection).
import { randomUUID } from 'node:crypto';
import { eventHubTriggerData } from './eventHubTriggerData';
import type { FunctionRegistration } from './functionRegistration';
import type { RpcHttpData, RpcNullableString, RpcTypedData } from './rpcTypes';
import type { HttpTriggerInput, TimerTriggerInput, TriggerInput } from './triggerInput';

export interface TriggerTypedData {
  readonly data: RpcTypedData;
  readonly triggerMetadata: Record<string, RpcTypedData>;
}

const expectedTriggerType: Record<Exclude<TriggerInput['kind'], 'raw'>, string> = {
  eventGrid: 'eventgridtrigger',
  eventHub: 'eventhubtrigger',
  timer: 'timertrigger',
  http: 'httptrigger',
};

export function triggerTypedData(registration: FunctionRegistration, trigger: TriggerInput, env: NodeJS.ProcessEnv): TriggerTypedData {
  if (trigger.kind !== 'raw' && registration.triggerType.toLowerCase() !== expectedTriggerType[trigger.kind]) {
    throw new Error(`Function '${registration.name}' has a ${registration.triggerType}; a '${trigger.kind}' trigger input cannot invoke it.`);
  }
  switch (trigger.kind) {
    case 'eventGrid':
      return eventGridTypedData(trigger.event);
    case 'eventHub': {
      if (!registration.eventHub) throw new Error(`Function '${registration.name}' has no usable Event Hubs trigger settings.`);
      return eventHubTriggerData(registration.eventHub, trigger.messages, trigger.partitionId ?? '0', env);
    }
    case 'timer':
      return { data: timerTypedData(trigger), triggerMetadata: {} };
    case 'http':
      // With RpcHttpTriggerMetadataRemoved the request travels only as the trigger value, and the
      // library ignores trigger metadata for HTTP anyway.
      return { data: { http: httpRequestToRpc(trigger) }, triggerMetadata: {} };
    case 'raw':
      return { data: trigger.data, triggerMetadata: { ...(trigger.triggerMetadata ?? {}) } };
  }
}

/** The `sys` binding data the host adds to every invocation (context.triggerMetadata.sys). */
export function systemTriggerMetadata(functionName: string, now: Date): Record<string, RpcTypedData> {
  return { sys: { json: JSON.stringify({ MethodName: functionName, UtcNow: now.toISOString(), RandGuid: randomUUID() }) } };
}

function eventGridTypedData(event: unknown): TriggerTypedData {
  // The extension's binding data for a single-dispatch trigger is { data: event.data }.
  const data = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)['data'] : undefined;
  return {
    data: { json: JSON.stringify(event) },
    triggerMetadata: data === undefined ? {} : { data: { json: JSON.stringify(data) } },
  };
}

// The timer extension's TimerInfo, serialised by Json.NET with its PascalCase names; the library
// camel-cases it into { schedule, scheduleStatus, isPastDue }.
function timerTypedData(trigger: TimerTriggerInput): RpcTypedData {
  const status = trigger.scheduleStatus;
  return {
    json: JSON.stringify({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: status ? { Last: status.last, Next: status.next, LastUpdated: status.lastUpdated } : null,
      IsPastDue: trigger.isPastDue ?? false,
    }),
  };
}

function httpRequestToRpc(request: HttpTriggerInput): RpcHttpData {
  const url = new URL(request.url);
  const nullableQuery: Record<string, RpcNullableString> = {};
  for (const key of new Set(url.searchParams.keys())) {
    // ASP.NET's StringValues.ToString() joins repeated values with ','.
    nullableQuery[key] = { value: url.searchParams.getAll(key).join(',') };
  }
  const nullableHeaders: Record<string, RpcNullableString> = {};
  for (const [key, value] of Object.entries(request.headers ?? {})) nullableHeaders[key.toLowerCase()] = { value };
  const nullableParams: Record<string, RpcNullableString> = {};
  for (const [key, value] of Object.entries(request.params ?? {})) nullableParams[key] = { value };

  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  return {
    method: request.method.toUpperCase(),
    url: request.url,
    nullableHeaders,
    nullableQuery,
    nullableParams,
    // The host only reads a body when Content-Length > 0, and sends raw bytes (RawHttpBodyBytes).
    ...(body !== undefined && body.length > 0 ? { body: { bytes: body } } : {}),
  };
}
