import type { TwinChangeNotice } from '../../domain/twinChangeHint';

/** The batch of an Event Hubs trigger with `cardinality: 'many'`, as the v4 programming model hands it over. */
export interface EventHubBatch {
  readonly messages: readonly unknown[];
  /** `triggerMetadata.propertiesArray`: each message's application properties. */
  readonly propertiesArray?: unknown;
  /** `triggerMetadata.systemPropertiesArray`: each message's system properties and annotations. */
  readonly systemPropertiesArray?: unknown;
}

export type ParsedTwinChange =
  | { readonly kind: 'twin-change'; readonly notice: TwinChangeNotice }
  /** Another kind of message on the same hub (telemetry, lifecycle events): not for this function. */
  | { readonly kind: 'not-a-twin-change'; readonly source: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Reads IoT Hub twin-change notifications routed to an Event Hub (`iothub-message-source:
 * twinChangeEvents`): `deviceId`, `moduleId` and `opType` from the application properties, the change
 * itself from the body (JSON, given as an object, text or bytes depending on the binding's dataType).
 * Never throws: a message it cannot read is reported with the reason, and the rest of the batch goes on.
 */
export function parseTwinChangeMessages(batch: EventHubBatch): ParsedTwinChange[] {
  const properties = Array.isArray(batch.propertiesArray) ? batch.propertiesArray : [];
  const system = Array.isArray(batch.systemPropertiesArray) ? batch.systemPropertiesArray : [];
  return batch.messages.map((message, index) => parseOne(message, record(properties[index]), record(system[index])));
}

function parseOne(message: unknown, properties: Record<string, unknown>, system: Record<string, unknown>): ParsedTwinChange {
  const source = system['iothub-message-source'];
  if (source !== undefined && source !== 'twinChangeEvents') return { kind: 'not-a-twin-change', source: String(source) };
  const deviceId = text(properties['deviceId']) ?? text(system['iothub-connection-device-id']);
  const moduleId = text(properties['moduleId']) ?? text(system['iothub-connection-module-id']);
  const opType = properties['opType'];
  if (deviceId === undefined) return { kind: 'malformed', reason: 'the message names no deviceId' };
  if (opType !== 'updateTwin' && opType !== 'replaceTwin') {
    return { kind: 'malformed', reason: `message for ${deviceId}: opType ${JSON.stringify(opType)} is not updateTwin or replaceTwin` };
  }
  const body = readBody(message);
  if (body === undefined) return { kind: 'malformed', reason: `message for ${deviceId}: the body is not a JSON object` };
  const version = body['version'];
  return {
    kind: 'twin-change',
    notice: { deviceId, ...(moduleId === undefined ? {} : { moduleId }), opType, ...(typeof version === 'number' ? { version } : {}), body },
  };
}

function readBody(message: unknown): Record<string, unknown> | undefined {
  let value: unknown = message;
  if (message instanceof Uint8Array) value = Buffer.from(message).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
