/**
 * Reads one HTTP request that Event Grid sends to a webhook (Event Grid schema or CloudEvents 1.0): the
 * subscription handshake, CloudEvents' abuse-protection OPTIONS, or a delivery of events. Hostile or broken
 * requests are turned into a clear rejection before anything is parsed deeply: an empty body, invalid
 * JSON, JSON nested deeper than any event is, or more bytes than Event Grid ever sends at once.
 */
export type EventGridWebhookRequest =
  | { readonly kind: 'abuse-protection'; readonly origin: string }
  | { readonly kind: 'subscription-validation'; readonly validationCode: string }
  | { readonly kind: 'notification'; readonly events: readonly unknown[] }
  /** Event Grid's notice that the subscription was removed: nothing to do. */
  | { readonly kind: 'unsubscribe' }
  | { readonly kind: 'rejected'; readonly status: 400 | 413; readonly reason: string };

export interface RawWebhookRequest {
  readonly method: string;
  /** Header lookup, case-insensitive (as the Fetch API's Headers.get). */
  readonly header: (name: string) => string | null | undefined;
  readonly body: string;
}

/**
 * Event Grid caps a delivery at 1 MB of events (preferredBatchSizeInKilobytes ≤ 1024) and an event at 1 MB;
 * far more than that is not Event Grid, and parsing it would only cost memory.
 */
export const maxWebhookBodyBytes = 16 * 1024 * 1024;
/** An IoT Hub event, twin included, nests about 8 levels; twins themselves stop at 10. */
export const maxJsonDepth = 32;

export function readEventGridWebhookRequest(request: RawWebhookRequest): EventGridWebhookRequest {
  if (request.method.toUpperCase() === 'OPTIONS') {
    const origin = request.header('webhook-request-origin');
    if (origin === undefined || origin === null || origin.trim() === '') {
      return reject(400, 'OPTIONS without a WebHook-Request-Origin header is not a CloudEvents abuse-protection handshake');
    }
    return { kind: 'abuse-protection', origin: origin.trim() };
  }

  const eventType = request.header('aeg-event-type')?.trim().toLowerCase();
  if (eventType === 'unsubscribe') return { kind: 'unsubscribe' };
  if (eventType !== 'notification' && eventType !== 'subscriptionvalidation') {
    return reject(400, `header aeg-event-type must be Notification or SubscriptionValidation, got ${eventType === undefined || eventType === '' ? 'none' : JSON.stringify(eventType)}`);
  }

  const parsed = parseBody(request.body);
  if ('rejected' in parsed) return parsed.rejected;
  const { json } = parsed;

  if (eventType === 'subscriptionvalidation') {
    const code = validationCode(json);
    return code === undefined ? reject(400, 'SubscriptionValidation request without data.validationCode') : { kind: 'subscription-validation', validationCode: code };
  }
  // Event Grid schema and CloudEvents batches are arrays; a single CloudEvent (application/cloudevents+json) is an object.
  if (Array.isArray(json)) return { kind: 'notification', events: json };
  if (typeof json === 'object' && json !== null) return { kind: 'notification', events: [json] };
  return reject(400, `expected a JSON array of events (or one CloudEvent object), got ${json === null ? 'null' : typeof json}`);
}

function parseBody(body: string): { json: unknown } | { rejected: EventGridWebhookRequest } {
  if (body.trim() === '') return { rejected: reject(400, 'the request body is empty: expected a JSON array of Event Grid events') };
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > maxWebhookBodyBytes) {
    return { rejected: reject(413, `the request body is ${bytes} bytes; Event Grid deliveries are at most ${maxWebhookBodyBytes} bytes here`) };
  }
  const depth = jsonNestingDepth(body);
  if (depth > maxJsonDepth) {
    return { rejected: reject(400, `the JSON nests ${depth > 10_000 ? 'more than 10000' : depth} levels deep; events nest at most ${maxJsonDepth}`) };
  }
  try {
    return { json: JSON.parse(body) as unknown };
  } catch (error) {
    return { rejected: reject(400, `the request body is not valid JSON (${(error as Error).message})`) };
  }
}

/**
 * The deepest nesting of arrays and objects in JSON text, found by one scan of the characters (strings
 * skipped), so a hostile body is refused before any recursive code sees it. Stops counting past 10,001.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > 10_000) return deepest;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return deepest;
}

function validationCode(json: unknown): string | undefined {
  const first: unknown = Array.isArray(json) ? json[0] : json;
  if (typeof first !== 'object' || first === null) return undefined;
  let data: unknown = (first as Record<string, unknown>)['data'];
  if (typeof data === 'string') {
    // CloudEvents validation events may carry their data JSON-encoded a second time.
    try {
      data = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const code = (data as Record<string, unknown>)['validationCode'];
  return typeof code === 'string' && code !== '' ? code : undefined;
}

function reject(status: 400 | 413, reason: string): EventGridWebhookRequest {
  return { kind: 'rejected', status, reason };
}
