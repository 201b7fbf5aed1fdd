// What a caller hands the local host to trigger one invocation. Each variant carries what the real
// trigger source delivers; the host turns it into the RPC invocation request the worker would get.
import type { RpcTypedData } from './rpcTypes';

/** One event as the Event Hubs trigger receives it (an IoT Hub routed message is one of these). */
export interface EventHubMessage {
  readonly body: unknown;
  /** Application properties (for IoT Hub twin-change notifications: hubName, deviceId, opType, …). */
  readonly properties?: Readonly<Record<string, unknown>>;
  /** Broker/IoT Hub system properties (e.g. 'iothub-connection-device-id', 'iothub-message-source'). */
  readonly systemProperties?: Readonly<Record<string, unknown>>;
  readonly partitionKey?: string;
  readonly sequenceNumber: number;
  readonly offset: string;
  /** ISO-8601 UTC time, e.g. "2025-01-01T00:00:00.000Z". */
  readonly enqueuedTimeUtc: string;
}

export interface EventGridTriggerInput {
  readonly kind: 'eventGrid';
  /** One Event Grid schema event or one CloudEvents 1.0 event, as parsed JSON. */
  readonly event: unknown;
}

export interface EventHubTriggerInput {
  readonly kind: 'eventHub';
  /** One message for cardinality 'one'; the whole batch for cardinality 'many'. */
  readonly messages: readonly EventHubMessage[];
  readonly partitionId?: string;
}

export interface TimerTriggerInput {
  readonly kind: 'timer';
  readonly isPastDue?: boolean;
  /** Schedule status as the timer's monitor records it (ISO times); omitted on a first run. */
  readonly scheduleStatus?: { readonly last: string; readonly next: string; readonly lastUpdated: string };
}

export interface HttpTriggerInput {
  readonly kind: 'http';
  readonly method: string;
  /** Absolute URL as the client called it, query string included. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Route parameters; LocalHttpServer fills them from the route template. */
  readonly params?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

/** Escape hatch for triggers the host has no builder for (durable orchestration/activity/entity). */
export interface RawTriggerInput {
  readonly kind: 'raw';
  readonly data: RpcTypedData;
  readonly triggerMetadata?: Readonly<Record<string, RpcTypedData>>;
}

export type TriggerInput = EventGridTriggerInput | EventHubTriggerInput | TimerTriggerInput | HttpTriggerInput | RawTriggerInput;
