// The Functions host's Event Grid webhook (/runtime/webhooks/eventgrid?functionName=…), after the
// Event Grid extension's HttpRequestProcessor and EventGridExtensionConfigProvider:
// - unknown function → 404 "cannot find function: 'x'" (checked first);
// - aeg-event-type SubscriptionValidation → 200 {"validationResponse": code}, from an Event Grid schema
//   array or a CloudEvents object whose data may be double-encoded;
// - Notification → one invocation per event of the payload (an object counts as one event), all in
//   parallel; 202 when all succeed, otherwise 500 with the failed execution's exception message and
//   Event Grid re-sends the WHOLE payload;
// - Unsubscribe → 202; a missing or other aeg-event-type → 400.
// CloudEvents' abuse-protection handshake (HTTP OPTIONS) is answered by eventGridAbuseProtection.
import type { FunctionRegistration } from './functionRegistration';
import type { TriggerInput } from './triggerInput';

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface EventGridWebhookResponse {
  readonly status: number;
  /** JSON for the validation handshake, text otherwise. */
  readonly body?: { readonly validationResponse: string } | string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The handlers' own errors behind a 500, for logs and tests; never written to the wire. */
  readonly errors?: readonly unknown[];
}

export interface EventGridWebhookHost {
  getFunction(name: string): FunctionRegistration | undefined;
  invoke(name: string, trigger: TriggerInput): Promise<unknown>;
}

export async function processEventGridWebhook(
  host: EventGridWebhookHost,
  functionName: string | undefined,
  payload: unknown,
  headers: HeaderBag,
): Promise<EventGridWebhookResponse> {
  const notFound = findListener(host, functionName);
  if (notFound) return notFound;
  const name = functionName as string;

  const eventType = header(headers, 'aeg-event-type')?.toLowerCase();
  if (eventType === 'subscriptionvalidation') {
    const code = validationCode(payload);
    // A payload without a code makes the extension throw, which the host turns into a bare 500.
    if (code === undefined) return { status: 500, body: '' };
    return { status: 200, body: { validationResponse: code }, headers: { 'content-type': 'application/json; charset=utf-8' } };
  }
  if (eventType === 'notification') {
    const events = Array.isArray(payload) ? payload : typeof payload === 'object' && payload !== null ? [payload] : undefined;
    if (events === undefined) return { status: 500, body: '' };
    const outcomes = await Promise.allSettled(events.map((event: unknown) => host.invoke(name, { kind: 'eventGrid', event })));
    const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (errors.length > 0) {
      // FunctionResult.Exception is the host's FunctionInvocationException; its message names the
      // function, not the handler's error (that one only reaches the logs).
      return { status: 500, body: `Exception while executing function: Functions.${name}`, errors };
    }
    return { status: 202 };
  }
  if (eventType === 'unsubscribe') return { status: 202 };
  return { status: 400 };
}

/** CloudEvents 1.0 webhook abuse protection: OPTIONS with WebHook-Request-Origin must be echoed. */
export function eventGridAbuseProtection(host: EventGridWebhookHost, functionName: string | undefined, headers: HeaderBag): EventGridWebhookResponse {
  const notFound = findListener(host, functionName);
  if (notFound) return notFound;
  const origin = header(headers, 'webhook-request-origin');
  if (origin === undefined || origin === '') return { status: 400 };
  return { status: 200, headers: { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*' } };
}

function findListener(host: EventGridWebhookHost, functionName: string | undefined): EventGridWebhookResponse | undefined {
  const registration = functionName === undefined || functionName === '' ? undefined : host.getFunction(functionName);
  const listening =
    registration !== undefined && registration.indexingError === undefined && registration.triggerType.toLowerCase() === 'eventgridtrigger';
  return listening ? undefined : { status: 404, body: `cannot find function: '${functionName ?? ''}'` };
}

function validationCode(payload: unknown): string | undefined {
  const first: unknown = Array.isArray(payload) ? payload[0] : payload;
  if (typeof first !== 'object' || first === null) return undefined;
  let data: unknown = (first as Record<string, unknown>)['data'];
  if (typeof data === 'string') {
    // CloudEvents subscription validation events carry their data JSON-encoded a second time.
    try {
      data = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const code = (data as Record<string, unknown>)['validationCode'];
  return code === undefined || code === null ? undefined : String(code);
}

export function header(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}
