import path from 'node:path';
import { app, type HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventGridDelivery } from '../../local/functionsHost/eventGridDelivery';
import { LogBuffer } from '../../local/functionsHost/hostLogger';
import { LocalFunctionsHost } from '../../local/functionsHost/localFunctionsHost';
import { LocalHttpServer } from '../../local/functionsHost/localHttpServer';
import { deviceCreatedEvent, subscriptionValidationEvent } from '../../support/events/deviceCreatedEvent';
import { sampleCalls } from './fixtures/sampleApp';

const sampleApp = path.join(__dirname, 'fixtures', 'sampleApp.ts');
const settings = {
  SampleEventHubConnection: 'Endpoint=sb://smt-local.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=a2V5',
  SampleTwinHub: 'twin-changes',
  SampleSweepSchedule: '0 */5 * * * *',
};

// Registered before the literal route on purpose: precedence, not registration order, decides.
app.http('serverItemById', { methods: ['GET'], route: 'items/{id:int}', handler: (req: HttpRequest) => ({ jsonBody: { byId: req.params['id'] } }) });
app.http('serverItemByName', { methods: ['GET'], route: 'items/{name}', handler: (req: HttpRequest) => ({ jsonBody: { byName: req.params['name'] } }) });
app.http('serverItemsLatest', { methods: ['GET'], route: 'items/latest', handler: () => ({ jsonBody: { latest: true } }) });
app.http('serverFiles', { methods: ['GET'], route: 'files/{*path}', handler: (req: HttpRequest) => ({ jsonBody: { path: req.params['path'] ?? null } }) });
app.http('serverCrash', {
  methods: ['GET'],
  handler: () => {
    throw new Error('secret connection string leaked in a stack trace');
  },
});
app.http('serverCookie', {
  methods: ['GET'],
  handler: () => ({ status: 204, cookies: [{ name: 'session', value: 'abc', path: '/', httpOnly: true, secure: true, sameSite: 'Strict' }] }),
});

const principal = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [], name_typ: 'name', role_typ: 'roles' })).toString('base64');
const easyAuth = {
  'x-ms-client-principal': principal,
  'x-ms-client-principal-id': 'oid-1',
  'x-ms-client-principal-name': 'alice@contoso.com',
  'x-ms-client-principal-idp': 'aad',
};
// Named by the event id, which is what the assertions follow.
const deviceCreated = (id: string, data: Record<string, unknown> = {}) => deviceCreatedEvent(id, { id, data });

describe('LocalHttpServer', () => {
  let host: LocalFunctionsHost;
  let server: LocalHttpServer;
  let baseUrl: string;

  beforeAll(async () => {
    host = await LocalFunctionsHost.load({
      functionModules: [sampleApp],
      settings,
      inputBindingProviders: { durableClient: () => ({ string: JSON.stringify({ taskHubName: 'smt' }) }) },
    });
    server = new LocalHttpServer({ host, port: 0, maxRequestBytes: 64 * 1024 });
    ({ baseUrl } = await server.start());
  });

  afterAll(() => server.close());

  beforeEach(() => {
    sampleCalls.length = 0;
  });

  it('listens on loopback and reports that the host is running', async () => {
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${baseUrl}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Your Functions 4.0 app is up and running');
    expect(await (await fetch(`${baseUrl}/admin/host/status`)).json()).toMatchObject({ state: 'Running' });
  });

  it('routes /api/<route> with route parameters and passes Easy Auth headers through', async () => {
    const response = await fetch(`${baseUrl}/api/rollouts/r1?dryRun=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...easyAuth },
      body: JSON.stringify({ ring: 1 }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ id: 'r1', action: null, principal: 'alice@contoso.com' });
    // An optional parameter that is absent is not in req.params at all.
    expect(sampleCalls[0]!.input).toMatchObject({ params: { id: 'r1' }, query: { dryRun: 'true' }, body: '{"ring":1}', starter: { taskHubName: 'smt' } });

    const withAction = await fetch(`${baseUrl}/API/Rollouts/r2/pause`, { method: 'POST' });
    expect(await withAction.json()).toEqual({ id: 'r2', action: 'pause', principal: null });
  });

  it("answers 404, as the host does, for an undeclared method on a known route and for unknown routes", async () => {
    expect((await fetch(`${baseUrl}/api/rollouts/r1`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/rollouts/r1`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/nothing-here`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/sampleStatus`)).status).toBe(404);
  });

  it('uses the function name as the default route and matches routes case-insensitively', async () => {
    const response = await fetch(`${baseUrl}/api/samplestatus`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(sampleCalls[0]!.input).toEqual({ method: 'GET', url: `${baseUrl}/api/samplestatus` });
  });

  it('prefers literal over constrained over plain parameters, and supports catch-all routes', async () => {
    expect(await (await fetch(`${baseUrl}/api/items/latest`)).json()).toEqual({ latest: true });
    expect(await (await fetch(`${baseUrl}/api/items/42`)).json()).toEqual({ byId: '42' });
    expect(await (await fetch(`${baseUrl}/api/items/widget`)).json()).toEqual({ byName: 'widget' });
    expect(await (await fetch(`${baseUrl}/api/files/a/b%20c/d.txt`)).json()).toEqual({ path: 'a/b c/d.txt' });
    expect(await (await fetch(`${baseUrl}/api/files`)).json()).toEqual({ path: null });
  });

  it('answers a failing function with a bare 500 and keeps the details in the logs', async () => {
    const response = await fetch(`${baseUrl}/api/serverCrash`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    expect(host.logs({ functionName: 'serverCrash', minLevel: 'error' })[0]!.message).toContain('secret connection string leaked in a stack trace');
  });

  it('writes cookies as Set-Cookie headers', async () => {
    const response = await fetch(`${baseUrl}/api/serverCookie`);
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/; Secure; HttpOnly; SameSite=Strict']);
  });

  it('refuses bodies above the request size limit with 413', async () => {
    const response = await fetch(`${baseUrl}/api/rollouts/big`, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(response.status).toBe(413);
  });

  describe('Event Grid webhook', () => {
    const webhook = (functionName: string) => `${baseUrl}/runtime/webhooks/eventgrid?functionName=${functionName}`;

    it('invokes the function for a Notification and answers 202', async () => {
      const response = await fetch(webhook('sampleDeviceCreated'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
        body: JSON.stringify([deviceCreated('h1')]),
      });
      expect(response.status).toBe(202);
      expect(sampleCalls.map((c) => (c.input as { id: string }).id)).toEqual(['h1']);
    });

    it('answers validation with JSON, failures with 500 text, and bad requests with 400/404/500 like the host', async () => {
      const validation = await fetch(webhook('sampleDeviceCreated'), {
        method: 'POST',
        headers: { 'aeg-event-type': 'SubscriptionValidation' },
        body: JSON.stringify([subscriptionValidationEvent('abc')]),
      });
      expect(validation.status).toBe(200);
      expect(await validation.json()).toEqual({ validationResponse: 'abc' });

      const failed = await fetch(webhook('sampleDeviceCreated'), {
        method: 'POST',
        headers: { 'aeg-event-type': 'Notification' },
        body: JSON.stringify([deviceCreated('h2', { fail: true })]),
      });
      expect([failed.status, await failed.text()]).toEqual([500, 'Exception while executing function: Functions.sampleDeviceCreated']);

      const noHeader = await fetch(webhook('sampleDeviceCreated'), { method: 'POST', body: JSON.stringify([deviceCreated('h3')]) });
      expect(noHeader.status).toBe(400);
      const unknown = await fetch(webhook('nope'), { method: 'POST', headers: { 'aeg-event-type': 'Notification' }, body: '[]' });
      expect([unknown.status, await unknown.text()]).toEqual([404, "cannot find function: 'nope'"]);
      const garbage = await fetch(webhook('sampleDeviceCreated'), { method: 'POST', headers: { 'aeg-event-type': 'Notification' }, body: '{not json' });
      expect(garbage.status).toBe(500);
    });

    it('answers the CloudEvents OPTIONS handshake', async () => {
      const response = await fetch(webhook('sampleDeviceCreated'), { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    });

    it('is a target EventGridDelivery can push to over HTTP, with whole-payload retries', async () => {
      const logs = new LogBuffer();
      const delivery = new EventGridDelivery({ target: { url: webhook('sampleDeviceCreated') }, maxEventsPerBatch: 2, maxDeliveryAttempts: 2, retrySchedule: [20], logger: logs });
      delivery.publish([deviceCreated('w1'), deviceCreated('w2', { fail: true })]);
      await delivery.drain();
      expect(sampleCalls.map((c) => (c.input as { id: string }).id).sort()).toEqual(['w1', 'w1', 'w2', 'w2']);
      expect(delivery.deadLetters()).toEqual([
        expect.objectContaining({ deadLetterReason: 'MaxDeliveryAttemptsExceeded', deliveryAttempts: 2, lastHttpStatusCode: 500, events: [expect.objectContaining({ id: 'w1' }), expect.objectContaining({ id: 'w2' })] }),
      ]);
    });
  });

  describe('admin API', () => {
    it('lists the functions with their trigger and route', async () => {
      const list = (await (await fetch(`${baseUrl}/admin/functions`)).json()) as Record<string, unknown>[];
      expect(list).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'sampleRollout', trigger: 'httpTrigger', route: 'api/rollouts/{id}/{action?}', invoke_url_template: `${baseUrl}/api/rollouts/{id}/{action?}`, isDisabled: false }),
          expect.objectContaining({ name: 'sampleDeviceCreated', trigger: 'eventGridTrigger', route: null }),
          expect.objectContaining({ name: 'sampleSweep', trigger: 'timerTrigger', route: null }),
        ]),
      );
      const one = await (await fetch(`${baseUrl}/admin/functions/sampleTwinChanges`)).json();
      expect(one).toMatchObject({ name: 'sampleTwinChanges', config: { bindings: expect.arrayContaining([expect.objectContaining({ type: 'eventHubTrigger', cardinality: 'many' })]) } });
      expect((await fetch(`${baseUrl}/admin/functions/nope`)).status).toBe(404);
    });

    it('runs a non-HTTP function on POST /admin/functions/<name> and answers 202', async () => {
      const response = await fetch(`${baseUrl}/admin/functions/sampleSweep`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: '' }) });
      expect(response.status).toBe(202);
      await expect.poll(() => sampleCalls.map((c) => c.functionName)).toEqual(['sampleSweep']);
      expect((await fetch(`${baseUrl}/admin/functions/sampleStatus`, { method: 'POST', body: '{}' })).status).toBe(400);
    });
  });
});

describe('LocalHttpServer.close', () => {
  it('closes idle keep-alive sockets instead of waiting for their timeout', { timeout: 10_000 }, async () => {
    const host = await LocalFunctionsHost.load({ functionModules: [] });
    // With a ten-minute keep-alive, only an active close lets this test finish within its timeout.
    const server = new LocalHttpServer({ host, port: 0, keepAliveTimeoutMs: 600_000 });
    const { baseUrl } = await server.start();
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${baseUrl}/api/items/latest`)).status).toBe(200);
    await server.close();
    await expect(fetch(`${baseUrl}/`)).rejects.toThrow();
  });
});
