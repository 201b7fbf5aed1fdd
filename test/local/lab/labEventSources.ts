// Which function each simulated event source feeds, as data: the lab subscribes every row and reads where
// to deliver from the function's own registration, so a trigger that changes kind (an Event Grid trigger
// becoming an HTTP webhook handler) or a new source (twin changes through an Event Hub, a timer) is a row
// here, not new wiring in startLab.
import type { FunctionRegistration } from '../functionsHost';

/** A simulated IoT Hub device-lifecycle event delivered by an Event Grid subscription to a webhook. */
export interface EventGridSourceRow {
  readonly source: 'iothub.DeviceCreated';
  readonly delivery: 'eventGrid';
  readonly functionName: string;
  /** Name of the Event Grid subscription (shown in the aeg-subscription-name header). */
  readonly subscriptionName: string;
}

/** Twin-change notifications, routed by IoT Hub (`TwinChangeEvents`) to an Event Hub that a trigger reads. */
export interface EventHubSourceRow {
  readonly source: 'iothub.TwinChangeEvents';
  readonly delivery: 'eventHub';
  readonly functionName: string;
  /** The Event Hub of the route (the trigger's `%TWIN_CHANGE_EVENT_HUB_NAME%`). */
  readonly eventHubName: string;
  readonly partitionCount: number;
}

export type EventSourceRow = EventGridSourceRow | EventHubSourceRow;

export const labEventSources: readonly EventSourceRow[] = [
  { source: 'iothub.DeviceCreated', delivery: 'eventGrid', functionName: 'onDeviceCreated', subscriptionName: 'device-created-to-functions' },
  { source: 'iothub.TwinChangeEvents', delivery: 'eventHub', functionName: 'onTwinChanged', eventHubName: 'twin-changes', partitionCount: 4 },
];

export function isEventGridRow(row: EventSourceRow): row is EventGridSourceRow {
  return row.delivery === 'eventGrid';
}

/**
 * Checks that the function an Event Hub row names is registered as an Event Hubs trigger on that hub
 * (its `eventHubName`, `%SETTING%` expressions resolved from the lab's settings), naming what is wrong.
 */
export function checkEventHubFunction(row: EventHubSourceRow, registrations: readonly FunctionRegistration[]): void {
  const registration = registrations.find((candidate) => candidate.name === row.functionName);
  if (registration === undefined || registration.indexingError !== undefined || registration.triggerType.toLowerCase() !== 'eventhubtrigger') {
    const found = registration === undefined ? 'no such function' : (registration.indexingError ?? `a ${registration.triggerType}`);
    throw new Error(`The lab delivers ${row.source} to Event Hubs-triggered function '${row.functionName}', but the app has ${found}.`);
  }
}

/**
 * Where an Event Grid subscription posts for the function the row names: the function's own route when it
 * is an HTTP-triggered webhook handler (it then answers the validation handshake itself), the Functions
 * host's Event Grid extension webhook when it is an Event Grid trigger. Throws, naming the function, when
 * the app registers no such function or one that cannot take Event Grid deliveries.
 */
export function eventGridWebhookUrl(row: EventGridSourceRow, registrations: readonly FunctionRegistration[], hostUrl: string, routePrefix: string): string {
  const registration = registrations.find((candidate) => candidate.name === row.functionName);
  const registered = registrations.map((candidate) => candidate.name).join(', ') || 'none';
  if (registration === undefined) {
    throw new Error(`The lab delivers ${row.source} to function '${row.functionName}', but the app registers no such function (registered: ${registered}).`);
  }
  if (registration.indexingError !== undefined) {
    throw new Error(`The lab delivers ${row.source} to function '${row.functionName}', which the host could not index: ${registration.indexingError}`);
  }
  const trigger = registration.triggerType.toLowerCase();
  if (trigger === 'eventgridtrigger') return `${hostUrl}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(registration.name)}`;
  if (trigger === 'httptrigger' && registration.http !== undefined) {
    if (registration.http.route.includes('{')) {
      throw new Error(`The lab delivers ${row.source} to function '${row.functionName}', whose route '${registration.http.route}' has parameters: an Event Grid webhook needs a fixed URL.`);
    }
    const prefix = routePrefix === '' ? '' : `/${routePrefix}`;
    return `${hostUrl}${prefix}/${registration.http.route.replace(/^\/+/, '')}`;
  }
  throw new Error(
    `The lab delivers ${row.source} to function '${row.functionName}' through Event Grid, but it is a ${registration.triggerType}: it must be an eventGridTrigger or an httpTrigger webhook handler.`,
  );
}
