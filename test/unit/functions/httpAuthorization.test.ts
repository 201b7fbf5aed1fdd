// Every HTTP route's authorization rule, called as the worker calls each handler: a real HttpRequest with the
// headers App Service Authentication sets (or none), the real use cases over the in-memory fakes. With
// HTTP_AUTH_MODE=appRoles each route lets in a caller with its role and refuses one without; with the default
// (functionKey) the host's function key is the only check and identity headers are not read.
import type { HttpHandler } from '@azure/functions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routeRoles } from '../../../src/domain/httpAuthorization';
import { getDefaultBaseline } from '../../../src/functions/getDefaultBaseline';
import { getDeviceAudit } from '../../../src/functions/getDeviceAudit';
import { getDeviceCompliance } from '../../../src/functions/getDeviceCompliance';
import { getFleetCompliance } from '../../../src/functions/getFleetCompliance';
import { appServicePrincipalHeaders } from '../../local/functionsHost/labPrincipal';
import { capturingInvocation, readLogLines, testHttpRequest } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

interface Route {
  readonly name: keyof typeof routeRoles;
  readonly handler: HttpHandler;
  readonly path: string;
  readonly params?: Readonly<Record<string, string>>;
}

const routes: readonly Route[] = [
  { name: 'getDefaultBaseline', handler: getDefaultBaseline, path: '/api/baselines/default' },
  { name: 'getDeviceAudit', handler: getDeviceAudit, path: '/api/devices/sensor-1/audit', params: { deviceId: 'sensor-1' } },
  { name: 'getDeviceCompliance', handler: getDeviceCompliance, path: '/api/devices/sensor-1/compliance', params: { deviceId: 'sensor-1' } },
  { name: 'getFleetCompliance', handler: getFleetCompliance, path: '/api/compliance' },
];

const caller = (name: string, ...roles: string[]) => appServicePrincipalHeaders({ name, id: `oid-${name}`, roles });

let env: InstalledServicesOverFakes;

beforeEach(() => {
  env = installServicesOverFakes({ HTTP_AUTH_MODE: 'appRoles' });
});

afterEach(() => {
  env.restore();
});

async function call(route: Route, headers: Readonly<Record<string, string>>) {
  const { context, lines } = capturingInvocation(route.name, `inv-${route.name}`);
  const request = testHttpRequest({ method: 'GET', path: route.path, headers, ...(route.params === undefined ? {} : { params: route.params }) });
  const response = await route.handler(request, context);
  return { response, logged: readLogLines(lines) };
}

describe('every HTTP route with HTTP_AUTH_MODE=appRoles', () => {
  it('covers every route that declares a role', () => {
    expect(routes.map((route) => route.name).sort()).toEqual(Object.keys(routeRoles).sort());
  });

  describe.each(routes.map((route) => [route.name, route] as const))('%s', (name, route) => {
    const role = routeRoles[name];

    it(`needs app role '${role}'`, () => {
      expect(role).toBe('reader');
    });

    it.each([
      ['reader', caller('rita', 'reader')],
      ['operator, which implies reader', caller('otto', 'operator')],
      ['approver, which implies reader', caller('ada', 'approver')],
    ])('lets in a caller with %s, and logs no refusal', async (_what, headers) => {
      const { response, logged } = await call(route, headers);
      expect(response.status).toBe(200);
      expect(logged.filter((line) => line.message === 'Request refused')).toEqual([]);
    });

    it('refuses a request App Service Authentication let through without a principal: 401 naming the role', async () => {
      const { response, logged } = await call(route, {});
      expect(response).toEqual({
        status: 401,
        jsonBody: { error: `Not allowed: sign in through App Service Authentication (Entra ID) with app role '${role}'`, code: 'AuthenticationRequired', requiredRole: role },
      });
      expect(logged).toEqual([
        { level: 'warning', message: 'Request refused', properties: { invocationId: `inv-${name}`, status: 401, code: 'AuthenticationRequired', requiredRole: role, reason: expect.any(String) } },
      ]);
    });

    it('refuses a principal without an app role of this app: 403 naming the role and the caller', async () => {
      const { response } = await call(route, caller('mallory', 'Contoso.Admin'));
      expect(response).toEqual({
        status: 403,
        jsonBody: { error: `Not allowed: 'mallory' needs app role '${role}' and has no app role of this app`, code: 'RoleRequired', requiredRole: role },
      });
    });
  });

  it('refuses before the use case runs: a refused caller learns nothing of the device, not even that its ID is invalid', async () => {
    const { response } = await call({ name: 'getDeviceAudit', handler: getDeviceAudit, path: '/api/devices/x/audit', params: { deviceId: 'd'.repeat(129) } }, {});
    expect(response.status).toBe(401);
  });
});

describe('every HTTP route with the default HTTP_AUTH_MODE (functionKey)', () => {
  beforeEach(() => {
    env = env.reinstall({});
  });

  it.each(routes.map((route) => [route.name, route] as const))('%s lets in a caller without a principal: the function key was the check', async (_name, route) => {
    const { response } = await call(route, {});
    expect(response.status).toBe(200);
  });
});
