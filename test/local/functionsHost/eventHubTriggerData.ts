// The RPC trigger value and trigger metadata the host sends for an Event Hubs invocation. Names and
// value forms follow the Event Hubs extension's binding data (EventHubTriggerBindingStrategy:
// PartitionContext, PartitionKey[Array], Offset[Array], SequenceNumber[Array], EnqueuedTimeUtc[Array],
// Properties[Array], SystemProperties[Array]) converted the way the host's gRPC layer converts them
// for the Node worker, which declares the TypedDataCollection capability: string[] → collectionString
// (empty entries dropped), long[] → collectionSint64, anything else → JSON. '@azure/functions' then
// camel-cases every key (PropertiesArray → propertiesArray, SequenceNumber → sequenceNumber).
import type { EventHubTriggerSettings } from './functionRegistration';
import type { RpcTypedData } from './rpcTypes';
import type { EventHubMessage } from './triggerInput';

export interface EventHubTriggerData {
  readonly data: RpcTypedData;
  readonly triggerMetadata: Record<string, RpcTypedData>;
}

export function eventHubTriggerData(
  settings: EventHubTriggerSettings,
  messages: readonly EventHubMessage[],
  partitionId: string,
  env: NodeJS.ProcessEnv,
): EventHubTriggerData {
  const partitionContext: RpcTypedData = {
    json: JSON.stringify({
      FullyQualifiedNamespace: fullyQualifiedNamespace(settings.connection, env),
      EventHubName: settings.eventHubName,
      ConsumerGroup: settings.consumerGroup,
      PartitionId: partitionId,
    }),
  };
  if (settings.cardinality === 'many') {
    return {
      data: bodiesTypedData(messages, settings.dataType),
      triggerMetadata: {
        PartitionContext: partitionContext,
        // string[] goes out as collectionString, which skips null/empty entries because the Node worker
        // does not declare IncludeEmptyEntriesInMessagePayload: events without a partition key leave
        // this array shorter than the batch, exactly as in Azure.
        PartitionKeyArray: { collectionString: { string: messages.flatMap((m) => (m.partitionKey ? [m.partitionKey] : [])) } },
        OffsetArray: { collectionString: { string: messages.map((m) => m.offset) } },
        SequenceNumberArray: { collectionSint64: { sint64: messages.map((m) => m.sequenceNumber) } },
        EnqueuedTimeUtcArray: { json: JSON.stringify(messages.map((m) => dotNetUnspecifiedDateTime(m.enqueuedTimeUtc))) },
        PropertiesArray: { json: JSON.stringify(messages.map((m) => m.properties ?? {})) },
        SystemPropertiesArray: { json: JSON.stringify(messages.map(systemPropertiesForBinding)) },
      },
    };
  }
  const [message, ...rest] = messages;
  if (message === undefined || rest.length > 0) {
    throw new Error(`An Event Hubs trigger with cardinality 'one' takes exactly one message per invocation (got ${messages.length}).`);
  }
  return {
    data: bodyTypedData(message.body, settings.dataType),
    triggerMetadata: {
      PartitionContext: partitionContext,
      ...(message.partitionKey ? { PartitionKey: { string: message.partitionKey } } : {}),
      // long and DateTime values are not among the host's primitive conversions, so they travel as JSON.
      Offset: { json: JSON.stringify(numericOffset(message.offset)) },
      SequenceNumber: { json: JSON.stringify(message.sequenceNumber) },
      EnqueuedTimeUtc: { json: JSON.stringify(dotNetUnspecifiedDateTime(message.enqueuedTimeUtc)) },
      Properties: { json: JSON.stringify(message.properties ?? {}) },
      SystemProperties: { json: JSON.stringify(systemPropertiesForBinding(message)) },
    },
  };
}

// The extension copies the event's system properties and adds these four (azure-webjobs-sdk#1849).
function systemPropertiesForBinding(message: EventHubMessage): Record<string, unknown> {
  return {
    ...(message.systemProperties ?? {}),
    SequenceNumber: message.sequenceNumber,
    Offset: numericOffset(message.offset),
    PartitionKey: message.partitionKey ?? null,
    EnqueuedTimeUtc: dotNetUnspecifiedDateTime(message.enqueuedTimeUtc),
  };
}

function numericOffset(offset: string): number | string {
  return /^\d+$/.test(offset) ? Number(offset) : offset;
}

function bodiesTypedData(messages: readonly EventHubMessage[], dataType: string | undefined): RpcTypedData {
  if (dataType === 'binary') return { collectionBytes: { bytes: messages.map((m) => bodyBytes(m.body)) } };
  if (dataType === 'string') return { collectionString: { string: messages.map((m) => bodyText(m.body)) } };
  return { json: JSON.stringify(messages.map((m) => m.body)) };
}

function bodyTypedData(body: unknown, dataType: string | undefined): RpcTypedData {
  if (dataType === 'binary') return { bytes: bodyBytes(body) };
  if (dataType === 'string') return { string: bodyText(body) };
  return { json: JSON.stringify(body) };
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return JSON.stringify(body);
}

function bodyBytes(body: unknown): Uint8Array {
  return Buffer.isBuffer(body) ? body : Buffer.from(bodyText(body), 'utf8');
}

/**
 * The extension binds `EventData.EnqueuedTime.DateTime`, a DateTime of kind Unspecified, which
 * Json.NET writes without a zone designator and with trailing fraction zeros trimmed
 * ("2025-01-01T10:00:00.12"). JavaScript's Date parses such a string as LOCAL time: consumers must
 * append 'Z' themselves, and the local host keeps that trap so the product's parsing is tested.
 */
export function dotNetUnspecifiedDateTime(isoUtc: string): string {
  const date = new Date(isoUtc);
  if (Number.isNaN(date.getTime())) throw new Error(`Not an ISO-8601 time: '${isoUtc}'`);
  const [whole, fraction = ''] = date.toISOString().slice(0, -1).split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed === '' ? `${whole}` : `${whole}.${trimmed}`;
}

function fullyQualifiedNamespace(connection: string, env: NodeJS.ProcessEnv): string {
  const identityBased = env[`${connection}__fullyQualifiedNamespace`];
  if (identityBased !== undefined) return identityBased;
  const endpoint = /(?:^|;)\s*Endpoint\s*=\s*sb:\/\/([^/;]+)/i.exec(env[connection] ?? '');
  return endpoint?.[1] ?? '';
}
