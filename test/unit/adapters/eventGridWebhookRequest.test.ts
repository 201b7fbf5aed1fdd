import { describe, expect, it } from 'vitest';
import { jsonNestingDepth, maxWebhookBodyBytes, readEventGridWebhookRequest, type RawWebhookRequest } from '../../../src/adapters/inbound/eventGridWebhookRequest';

const request = (body: string, headers: Record<string, string> = { 'aeg-event-type': 'Notification' }, method = 'POST'): RawWebhookRequest => ({
  method,
  body,
  header: (name) => headers[name.toLowerCase()],
});

describe('readEventGridWebhookRequest', () => {
  it('reads an Event Grid schema delivery, a CloudEvents batch and a single CloudEvent', () => {
    expect(readEventGridWebhookRequest(request('[{"id":"1"},{"id":"2"}]'))).toEqual({ kind: 'notification', events: [{ id: '1' }, { id: '2' }] });
    expect(readEventGridWebhookRequest(request('{"specversion":"1.0","id":"3"}'))).toEqual({ kind: 'notification', events: [{ specversion: '1.0', id: '3' }] });
  });

  it('answers the subscription handshake in both schemas', () => {
    const validation = { 'aeg-event-type': 'SubscriptionValidation' };
    expect(readEventGridWebhookRequest(request('[{"data":{"validationCode":"abc"}}]', validation))).toEqual({ kind: 'subscription-validation', validationCode: 'abc' });
    expect(readEventGridWebhookRequest(request('{"data":"{\\"validationCode\\":\\"def\\"}"}', validation))).toEqual({ kind: 'subscription-validation', validationCode: 'def' });
    expect(readEventGridWebhookRequest(request('[{"data":{}}]', validation))).toMatchObject({ kind: 'rejected', status: 400 });
    expect(readEventGridWebhookRequest(request('', { 'webhook-request-origin': 'eventgrid.azure.net' }, 'OPTIONS'))).toEqual({ kind: 'abuse-protection', origin: 'eventgrid.azure.net' });
    expect(readEventGridWebhookRequest(request('', {}, 'OPTIONS'))).toMatchObject({ kind: 'rejected', status: 400 });
    expect(readEventGridWebhookRequest(request('', { 'aeg-event-type': 'Unsubscribe' }))).toEqual({ kind: 'unsubscribe' });
  });

  it.each([
    ['an empty body', '', /the request body is empty/],
    ['whitespace', '  \n', /the request body is empty/],
    ['invalid JSON', '[{"id":', /not valid JSON/],
    ['JSON nested 5,000 levels deep', `${'['.repeat(5000)}${']'.repeat(5000)}`, /nests 5000 levels deep/],
    ['a JSON scalar', '42', /expected a JSON array of events/],
    ['JSON null', 'null', /got null/],
  ])('refuses %s with a 400 that says why', (_what, body, reason) => {
    const answer = readEventGridWebhookRequest(request(body));
    expect(answer).toMatchObject({ kind: 'rejected', status: 400 });
    expect(answer.kind === 'rejected' && answer.reason).toMatch(reason);
  });

  it('refuses a request without a known aeg-event-type', () => {
    expect(readEventGridWebhookRequest(request('[]', {}))).toMatchObject({ kind: 'rejected', status: 400, reason: expect.stringContaining('aeg-event-type') });
  });

  it('refuses a body larger than Event Grid ever sends with a 413', () => {
    expect(readEventGridWebhookRequest(request(`["${'x'.repeat(maxWebhookBodyBytes)}"]`))).toMatchObject({ kind: 'rejected', status: 413 });
  });
});

describe('jsonNestingDepth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonNestingDepth('{"a":[{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonNestingDepth('"\\"[["')).toBe(0);
    expect(jsonNestingDepth('[]')).toBe(1);
  });
});
