import { DefaultAzureCredential } from '@azure/identity';
import { EventHubProducerClient } from '@azure/event-hubs';
import type { AuditStreamConfig } from '../../config/config';

/** Longest one attempt (opening the link, or one send) may take; retries are ours (EventHubAuditStream). */
const attemptTimeoutMs = 10_000;

/**
 * The audit stream's producer, by connection string (keys; the local stand-in with `UseDevelopmentEmulator=true`)
 * or managed identity (`DefaultAzureCredential` on the namespace). The SDK's own retries are off: every retry
 * goes through the product's backoff, within the retry budget and the trigger's deadline.
 */
export function createAuditProducer(stream: AuditStreamConfig): EventHubProducerClient {
  const options = { retryOptions: { maxRetries: 0, timeoutInMs: attemptTimeoutMs } };
  const { credential } = stream;
  if (credential.kind === 'connectionString') return new EventHubProducerClient(credential.connectionString, stream.eventHubName, options);
  const identity = new DefaultAzureCredential(credential.clientId === undefined ? {} : { managedIdentityClientId: credential.clientId });
  return new EventHubProducerClient(credential.fullyQualifiedNamespace, stream.eventHubName, identity, options);
}
