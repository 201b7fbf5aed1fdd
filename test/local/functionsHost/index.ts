// Public surface of the local Functions host, for the lab and the tests.
export { LocalFunctionsHost } from './localFunctionsHost';
export type {
  BindingInvocation,
  InputBindingProvider,
  InvocationResult,
  InvokeOptions,
  LocalFunctionsHostOptions,
  OutputBindingHandler,
} from './localFunctionsHost';
export { resolveMainGlob } from './resolveMainGlob';
export type { EventHubTriggerSettings, FunctionRegistration, HttpTriggerSettings, TimerTriggerSettings } from './functionRegistration';
export type { EventGridTriggerInput, EventHubMessage, EventHubTriggerInput, HttpTriggerInput, RawTriggerInput, TimerTriggerInput, TriggerInput } from './triggerInput';
export type { EventGridWebhookResponse, HeaderBag } from './eventGridWebhook';
export { EventGridDelivery, eventGridRetrySchedule } from './eventGridDelivery';
export type { DeadLetteredBatch, DeadLetterReason, EventGridDeliveryOptions, EventGridDeliveryStats, EventGridDeliveryTarget, EventGridReceiver } from './eventGridDelivery';
export type { CloudEventV1, DeliverableEvent, EventGridEvent } from './eventGridEvent';
export type { EventHubBatchOutcome, EventHubCheckpoint, EventHubDeliveryOptions, EventHubDeliveryResult } from './eventHubDelivery';
export { LocalHttpServer } from './localHttpServer';
export type { LocalHttpServerOptions } from './localHttpServer';
export { appServicePrincipalHeaders, labPrincipalHeader, parseLabPrincipal } from './labPrincipal';
export type { LabPrincipal } from './labPrincipal';
export { consoleHostLogger, LogBuffer } from './hostLogger';
export type { HostLogCategory, HostLogEntry, HostLogger, HostLogLevel } from './hostLogger';
export type { HttpInvocationResponse } from './httpResponseFromRpc';
