import { isProductError, type ErrorKind } from './productError';

/**
 * What each kind of trigger does with each kind of failure (DESIGN §5), written down once so every handler
 * behaves the same and a test can hold the whole table. The triggers differ in what "try again" means:
 * - an Event Grid delivery that fails is re-sent whole by Event Grid (with backoff, up to its retry limit,
 *   then dead-lettered), so failing it is how work is retried and nothing is lost;
 * - an Event Hub batch is checkpointed even when the function throws, so throwing retries nothing: what
 *   still fails is recorded and left for the sweep;
 * - a timer run that stops early resumes from its cursor at the next tick;
 * - an HTTP caller gets a status that says whether asking again can help;
 * - a durable activity that throws is retried by the orchestrator's retry options; one that returns a
 *   failure is not.
 */
export type TriggerKind = 'event-grid-delivery' | 'event-hub-batch' | 'timer' | 'http-request' | 'durable-activity';

/** A ProductError's kind, or `unknown` for anything else thrown: an error no adapter translated is a bug too. */
export type FailureClass = ErrorKind | 'unknown';

export type FailureAction =
  /** Record it (log, audit) and go on with the rest; nothing will send it again, and nothing should. */
  | 'record-and-continue'
  /** Record it and leave it to the sweep, which finds every twin that is not as assigned. */
  | 'leave-for-sweep'
  /** Fail the invocation so the trigger sends the work again. */
  | 'fail-invocation'
  /** End this run early without failing it; the next run resumes where this one stopped. */
  | 'stop-run'
  /** Answer the HTTP request with `httpStatus`. */
  | 'respond'
  /** Return a failed result to the orchestrator, which records it and does not retry. */
  | 'return-failure';

export interface FailureResponse {
  readonly action: FailureAction;
  /** `error` for what someone must look at; `warning` for what the product handles by itself. */
  readonly logLevel: 'warning' | 'error';
  /** Bugs are logged with their stack; expected failures with their message alone. */
  readonly logStack: boolean;
  readonly httpStatus?: number;
}

const recordAndContinue = (logLevel: FailureResponse['logLevel']): FailureResponse => ({ action: 'record-and-continue', logLevel, logStack: false });
const bug = (action: FailureAction, extra: Partial<FailureResponse> = {}): FailureResponse => ({ action, logLevel: 'error', logStack: true, ...extra });

export const failurePolicy: Readonly<Record<TriggerKind, Readonly<Record<FailureClass, FailureResponse>>>> = {
  'event-grid-delivery': {
    // Re-sending the same bad event cannot help; it is logged with the reason and the others go on.
    validation: recordAndContinue('warning'),
    permanent: recordAndContinue('error'),
    // Throttling, outages, missing access, the delivery's deadline: Event Grid re-sends the whole payload.
    transient: { action: 'fail-invocation', logLevel: 'warning', logStack: false },
    // Failing keeps the event: re-sent until the subscription's retry limit, then dead-lettered.
    invariant: bug('fail-invocation'),
    unknown: bug('fail-invocation'),
  },
  'event-hub-batch': {
    validation: recordAndContinue('warning'),
    permanent: recordAndContinue('error'),
    transient: { action: 'leave-for-sweep', logLevel: 'warning', logStack: false },
    invariant: bug('leave-for-sweep'),
    unknown: bug('leave-for-sweep'),
  },
  timer: {
    validation: recordAndContinue('warning'),
    permanent: recordAndContinue('error'),
    transient: { action: 'stop-run', logLevel: 'warning', logStack: false },
    invariant: bug('fail-invocation'),
    unknown: bug('fail-invocation'),
  },
  'http-request': {
    validation: { action: 'respond', logLevel: 'warning', logStack: false, httpStatus: 400 },
    permanent: { action: 'respond', logLevel: 'warning', logStack: false, httpStatus: 409 },
    transient: { action: 'respond', logLevel: 'warning', logStack: false, httpStatus: 503 },
    invariant: bug('respond', { httpStatus: 500 }),
    unknown: bug('respond', { httpStatus: 500 }),
  },
  'durable-activity': {
    validation: { action: 'return-failure', logLevel: 'warning', logStack: false },
    permanent: { action: 'return-failure', logLevel: 'error', logStack: false },
    transient: { action: 'fail-invocation', logLevel: 'warning', logStack: false },
    invariant: bug('fail-invocation'),
    unknown: bug('fail-invocation'),
  },
};

export function classifyFailure(error: unknown): FailureClass {
  return isProductError(error) ? error.kind : 'unknown';
}

/** How a trigger of kind `trigger` must treat `error`. */
export function failureResponse(trigger: TriggerKind, error: unknown): FailureResponse {
  return failurePolicy[trigger][classifyFailure(error)];
}
