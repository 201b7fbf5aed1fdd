// The two event schemas Event Grid delivers to a webhook: its own (an array, even for one event) and
// CloudEvents 1.0 (one object per request, or an array when batching).

export interface EventGridEvent {
  readonly id: string;
  readonly topic?: string;
  readonly subject: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly data?: unknown;
  readonly dataVersion: string;
  readonly metadataVersion?: string;
}

export interface CloudEventV1 {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly data?: unknown;
  readonly [extension: string]: unknown;
}

export type DeliverableEvent = EventGridEvent | CloudEventV1;

export function isCloudEvent(event: DeliverableEvent): event is CloudEventV1 {
  return (event as { specversion?: unknown }).specversion === '1.0';
}
