// The local Event Hubs namespace: what the lab and tests import (the options and event types are in
// eventHubsStandIn.ts).
export { startEventHubsStandIn } from './eventHubsStandIn';
export type { EventHubsStandIn } from './eventHubsStandIn';
