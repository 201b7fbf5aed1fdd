// The HTTP API's role checks tried as a user tries them in the lab: HTTP_AUTH_MODE=appRoles, a default caller
// (npm start -- --principal …) and callers named per request in x-lab-principal, which the lab's HTTP front
// turns into the x-ms-client-principal headers App Service Authentication would set.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { parseLabArguments } from '../local/lab/labArguments';
import { startLab, type Lab } from '../local/lab/startLab';
import { subscriptionValidationEvent } from '../support/events/deviceCreatedEvent';

let lab: Lab;

beforeAll(async () => {
  // The lab's own command line, so the flag the README documents is what is tried here.
  const command = parseLabArguments(['--principal', 'name=dana@contoso.com;roles=reader', '--devices', '1', '--tier', 'none']);
  lab = await startLab({ ...command.lab, httpPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'smt-http-auth-')), logger: new LogBuffer() });
  await lab.settle();
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

const get = (path: string, principal?: string) =>
  fetch(`${lab.info.http.baseUrl}${path}`, principal === undefined ? {} : { headers: { 'x-lab-principal': principal } });

describe('HTTP authorization in the lab', () => {
  it('runs the app with app roles checked', () => {
    expect(lab.settings['HTTP_AUTH_MODE']).toBe('appRoles');
  });

  it('answers the default caller (a reader) on every read route', async () => {
    for (const path of ['/baselines/default', '/devices/lab-device-0/audit', '/devices/lab-device-0/compliance', '/compliance']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
    }
  });

  it('answers a caller named in x-lab-principal by its roles: operator implies reader, another app’s role does not', async () => {
    expect((await get('/compliance', 'name=otto;roles=operator')).status).toBe(200);

    const refused = await get('/compliance', 'name=mallory;roles=Contoso.Admin');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "Not allowed: 'mallory' needs app role 'reader' and has no app role of this app", code: 'RoleRequired', requiredRole: 'reader' });
  });

  it('answers 401 to a caller App Service Authentication let through unsigned, whatever identity headers it sent', async () => {
    const response = await fetch(`${lab.info.http.baseUrl}/baselines/default`, {
      headers: { 'x-lab-principal': 'anonymous', 'x-ms-client-principal-name': 'forged', 'x-ms-client-principal': Buffer.from('{"claims":[{"typ":"roles","val":"reader"}]}').toString('base64') },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'AuthenticationRequired', requiredRole: 'reader' });
    expect(lab.host.logs({ minLevel: 'warning' }).some((entry) => entry.message.startsWith('Request refused') && entry.message.includes('AuthenticationRequired'))).toBe(true);
  });

  it('says what is wrong with an x-lab-principal it cannot read', async () => {
    const response = await get('/compliance', 'alice');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('x-lab-principal: a principal is name=…;roles=…[;id=…], got "alice"');
  });

  it('keeps the Event Grid webhook on the function key alone: Event Grid cannot sign in', async () => {
    const response = await fetch(lab.info.eventGrid.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'SubscriptionValidation', 'x-lab-principal': 'anonymous' },
      body: JSON.stringify([subscriptionValidationEvent('abc-123')]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ validationResponse: 'abc-123' });
  });
});
