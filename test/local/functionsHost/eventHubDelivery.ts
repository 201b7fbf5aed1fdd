// Event Hubs trigger semantics for one partition (reliability.md §1.3):
// - the host receives up to maxEventBatchSize events at a time; cardinality 'many' invokes once per
//   received batch, cardinality 'one' invokes once per event, the events of a received batch in parallel;
// - an uncaught exception is retried only under the function's retry policy (fixedDelay /
//   exponentialBackoff), re-invoking with the same events and a growing retryContext;
// - after success or after the retries are exhausted the checkpoint advances regardless, so a failed
//   batch is lost for this function. That loss is recorded so tests can assert on it.
import { randomUUID } from 'node:crypto';
import type { FunctionRegistration } from './functionRegistration';
import type { HostLogEntry } from './hostLogger';
import { retryPolicyFrom, type RetryPolicy } from './retryPolicy';
import type { RpcException, RpcRetryContext } from './rpcTypes';
import { seededRandom } from '../seededRandom';
import type { EventHubMessage, TriggerInput } from './triggerInput';

export interface EventHubDeliveryOptions {
  readonly partitionId?: string;
  /** host.json extensions.eventHubs.maxEventBatchSize (100 by default). */
  readonly maxEventBatchSize?: number;
  /** Multiplies the retry policy's delays; 0.001 turns the policy's seconds into milliseconds. */
  readonly retryDelayScale?: number;
  /** Seed for the ±20 % randomisation of exponential backoff. */
  readonly seed?: number;
}

export interface EventHubBatchOutcome {
  readonly functionName: string;
  readonly partitionId: string;
  readonly sequenceNumbers: readonly number[];
  /** Invocations made: 1 + retries. */
  readonly attempts: number;
  readonly invocationIds: readonly string[];
  readonly status: 'succeeded' | 'lost';
  /** The last attempt's error when lost. */
  readonly error?: unknown;
}

export interface EventHubCheckpoint {
  readonly sequenceNumber: number;
  readonly offset: string;
}

export interface EventHubDeliveryResult {
  readonly outcomes: readonly EventHubBatchOutcome[];
  readonly lost: readonly EventHubBatchOutcome[];
  readonly checkpoint: EventHubCheckpoint | undefined;
}

export interface EventHubInvoker {
  invoke(name: string, trigger: TriggerInput, options: { invocationId: string; retryContext?: RpcRetryContext }): Promise<unknown>;
  log(entry: Omit<HostLogEntry, 'timestamp'>): void;
}

interface ResolvedOptions {
  readonly partitionId: string;
  readonly maxEventBatchSize: number;
  readonly retryDelayScale: number;
  readonly seed?: number;
}

export async function deliverEventHubMessages(
  invoker: EventHubInvoker,
  registration: FunctionRegistration,
  messages: readonly EventHubMessage[],
  options: ResolvedOptions,
  onCheckpoint: (checkpoint: EventHubCheckpoint) => void,
  onLost: (outcome: EventHubBatchOutcome) => void,
): Promise<EventHubDeliveryResult> {
  if (!Number.isInteger(options.maxEventBatchSize) || options.maxEventBatchSize < 1) {
    throw new Error(`maxEventBatchSize must be a positive integer (got ${options.maxEventBatchSize}).`);
  }
  const policy = retryPolicyFrom(registration.retryOptions);
  const random = seededRandom(options.seed ?? 1);
  const outcomes: EventHubBatchOutcome[] = [];
  let checkpoint: EventHubCheckpoint | undefined;

  for (let start = 0; start < messages.length; start += options.maxEventBatchSize) {
    const received = messages.slice(start, start + options.maxEventBatchSize);
    const units = registration.eventHub?.cardinality === 'many' ? [received] : received.map((m) => [m]);
    const results = await Promise.all(units.map((unit) => runWithRetries(invoker, registration, unit, options, policy, random)));
    for (const outcome of results) {
      outcomes.push(outcome);
      if (outcome.status === 'lost') onLost(outcome);
    }
    const last = received[received.length - 1];
    if (last) {
      checkpoint = { sequenceNumber: last.sequenceNumber, offset: last.offset };
      onCheckpoint(checkpoint);
    }
  }
  return { outcomes, lost: outcomes.filter((o) => o.status === 'lost'), checkpoint };
}

async function runWithRetries(
  invoker: EventHubInvoker,
  registration: FunctionRegistration,
  unit: readonly EventHubMessage[],
  options: ResolvedOptions,
  policy: RetryPolicy | undefined,
  random: () => number,
): Promise<EventHubBatchOutcome> {
  const name = registration.name;
  const sequenceNumbers = unit.map((m) => m.sequenceNumber);
  const invocationIds: string[] = [];
  let retryCount = 0;
  let lastError: unknown;
  for (;;) {
    const invocationId = randomUUID();
    invocationIds.push(invocationId);
    // The host sends a retry context on every execution of a function that has a retry policy,
    // starting at retryCount 0, with the previous attempt's exception once it retries.
    const retryContext: RpcRetryContext | undefined = policy
      ? { retryCount, maxRetryCount: policy.maxRetryCount, ...(retryCount > 0 ? { exception: toRpcException(lastError) } : {}) }
      : undefined;
    try {
      await invoker.invoke(name, { kind: 'eventHub', messages: unit, partitionId: options.partitionId }, { invocationId, ...(retryContext ? { retryContext } : {}) });
      return { functionName: name, partitionId: options.partitionId, sequenceNumbers, attempts: invocationIds.length, invocationIds, status: 'succeeded' };
    } catch (error) {
      lastError = error;
    }
    const mayRetry = policy !== undefined && (policy.maxRetryCount === -1 || retryCount < policy.maxRetryCount);
    if (!mayRetry) break;
    retryCount += 1;
    const delay = policy.delayBeforeRetry(retryCount, random);
    invoker.log({
      level: 'information',
      category: 'host',
      functionName: name,
      message: `Waiting for ${Math.round(delay)}ms before retrying function execution. Next attempt: '${retryCount}'. Max attempts: '${policy.maxRetryCount}'`,
    });
    await new Promise((resolve) => setTimeout(resolve, delay * options.retryDelayScale));
  }
  invoker.log({
    level: 'error',
    category: 'host',
    functionName: name,
    message:
      `Function '${name}' failed for ${unit.length} event(s) of partition ${options.partitionId} ` +
      `(sequence numbers ${sequenceNumbers[0]}..${sequenceNumbers[sequenceNumbers.length - 1]}) after ${invocationIds.length} attempt(s); ` +
      'the checkpoint advances and these events are lost for this function.',
  });
  return {
    functionName: name,
    partitionId: options.partitionId,
    sequenceNumbers,
    attempts: invocationIds.length,
    invocationIds,
    status: 'lost',
    error: lastError,
  };
}

function toRpcException(error: unknown): RpcException {
  if (error instanceof Error) return { message: error.message, source: error.name, ...(error.stack ? { stackTrace: error.stack } : {}) };
  return { message: typeof error === 'string' ? error : JSON.stringify(error) };
}
