// GET /api/compliance called as the worker calls it, over the real use cases on the in-memory fakes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvariantError, TransientError } from '../../../src/domain/productError';
import { getFleetCompliance } from '../../../src/functions/getFleetCompliance';
import { capturingInvocation, readLogLines, testHttpRequest } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

const invocationId = 'inv-fleet-compliance';
const what = 'Could not count the compliance of the fleet';

let env: InstalledServicesOverFakes;

beforeEach(() => {
  env = installServicesOverFakes({ COMPLIANCE_CACHE_SECONDS: '30' });
});

afterEach(() => {
  env.restore();
});

async function get() {
  const { context, lines } = capturingInvocation('getFleetCompliance', invocationId);
  const response = await getFleetCompliance(testHttpRequest({ method: 'GET', path: '/api/compliance' }), context);
  return { response, lines, logged: readLogLines(lines) };
}

async function provision(deviceId: string): Promise<void> {
  env.registry.addDevice(deviceId);
  const [result] = await env.services.provisionDeviceCreatedEvents([{ deviceId, eventId: `event-${deviceId}` }], env.clock.now());
  expect(result).toMatchObject({ status: 'done', outcome: { kind: 'provisioned' } });
}

const queries = () => env.registry.calls.filter((call) => call.startsWith('listModuleTwins')).length;

describe('getFleetCompliance', () => {
  it('answers 200 with the counts by state, and answers again from them within COMPLIANCE_CACHE_SECONDS', async () => {
    await provision('sensor-1');
    await provision('sensor-2');
    env.registry.writeTwin('sensor-2', 'azureiotsecurity', { properties: { desired: { 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration': null } } });
    const asOf = env.clock.now().toISOString();

    const { response, lines } = await get();

    expect(response).toEqual({
      status: 200,
      jsonBody: { asOf, twinsRead: 2, counts: { compliant: 0, pending: 1, rejected: 0, drifted: 1, contested: 0, exempt: 0, unmanaged: 0 } },
    });
    expect(lines).toEqual([]);
    env.clock.advance(29_000);
    expect((await get()).response).toEqual(response);
    expect(queries()).toBe(1);
    env.clock.advance(1_000);
    await get();
    expect(queries()).toBe(2);
  });

  it('answers 503 with Retry-After when the hub refuses the queries', async () => {
    vi.spyOn(env.registry, 'listModuleTwins').mockRejectedValue(new TransientError('ThrottlingException', 'query budget spent', { retryAfterMs: 10_000 }));

    const { response, logged } = await get();

    expect(response).toEqual({ status: 503, jsonBody: { error: `${what}: query budget spent`, code: 'ThrottlingException' }, headers: { 'retry-after': '10' } });
    expect(logged).toEqual([{ level: 'warning', message: what, properties: { invocationId, errorKind: 'transient', errorCode: 'ThrottlingException', error: 'query budget spent' } }]);
  });

  it('answers 500 without internals for a bug, and logs it with its stack', async () => {
    vi.spyOn(env.registry, 'listModuleTwins').mockRejectedValue(new InvariantError('PageUnreadable', 'a page without twins'));

    const { response, logged } = await get();

    expect(response).toEqual({ status: 500, jsonBody: { error: `${what}: internal error; see the function logs for invocation ${invocationId}` } });
    expect(logged).toEqual([{ level: 'error', message: what, properties: expect.objectContaining({ invocationId, stack: expect.stringContaining('InvariantError: ') }) }]);
  });
});
