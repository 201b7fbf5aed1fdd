// GET /api/baselines/default called as the worker calls it: a real HttpRequest and InvocationContext, the
// real use case behind getServices() over the in-memory baseline store. Failures answer by the failure
// policy for HTTP requests; what a caller is told and what the log keeps differ for bugs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvariantError, TransientError } from '../../../src/domain/productError';
import { getDefaultBaseline } from '../../../src/functions/getDefaultBaseline';
import { testBaseline } from '../../support/baselines';
import { capturingInvocation, readLogLines, testHttpRequest } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

const invocationId = 'inv-default-baseline';

let env: InstalledServicesOverFakes;

beforeEach(() => {
  env = installServicesOverFakes();
});

afterEach(() => {
  env.restore();
});

async function get() {
  const { context, lines } = capturingInvocation('getDefaultBaseline', invocationId);
  const response = await getDefaultBaseline(testHttpRequest({ method: 'GET', path: '/api/baselines/default' }), context);
  return { response, lines, logged: readLogLines(lines) };
}

async function storeDefault(baseline: ReturnType<typeof testBaseline>): Promise<void> {
  await env.baselines.create(baseline);
  await env.baselines.setDefault(baseline.name, baseline.version, undefined);
}

describe('getDefaultBaseline', () => {
  it('answers 200 with the baseline new devices get now, and logs nothing', async () => {
    const current = testBaseline({ version: 3, changedSettings: { eventPriorityLogin: 'Low' }, description: 'logins matter less' });
    await storeDefault(current);

    const { response, lines } = await get();

    expect(response).toEqual({ status: 200, jsonBody: current });
    expect(lines).toEqual([]);
  });

  it('answers with version 1 made from DEFAULT_BASELINE_SETTINGS on a fresh deployment', async () => {
    env = env.reinstall({ DEFAULT_BASELINE_SETTINGS: '{"eventPriorityLogin":"Low"}' });

    const { response } = await get();

    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ name: 'default', version: 1, profile: 'asc-classic', settings: testBaseline({ changedSettings: { eventPriorityLogin: 'Low' } }).settings });
    expect(env.baselines.defaults.get('default')).toBe(1);
  });

  it('answers 409 with the reason when the stored default is for another agent, and logs a warning without a stack', async () => {
    await storeDefault(testBaseline({ profile: 'defender-micro-agent' }));

    const { response, logged } = await get();

    expect(response).toEqual({
      status: 409,
      jsonBody: {
        error: 'Could not read the default baseline: default baseline default v1 is for profile defender-micro-agent, but SECURITY_AGENT_PROFILE is asc-classic',
        code: 'ProfileMismatch',
      },
    });
    expect(logged).toEqual([
      {
        level: 'warning',
        message: 'Could not read the default baseline',
        properties: { invocationId, errorKind: 'permanent', errorCode: 'ProfileMismatch', error: expect.stringContaining('is for profile defender-micro-agent') },
      },
    ]);
  });

  it.each([
    ['the wait the service asked for', 7_000, '7'],
    ['5 s when the service did not say', undefined, '5'],
  ])('answers 503 with Retry-After (%s) for a transient failure, and logs a warning without a stack', async (_what, retryAfterMs, retryAfter) => {
    const busy = new TransientError('ServerBusy', 'the baseline table is busy', retryAfterMs === undefined ? {} : { retryAfterMs });
    vi.spyOn(env.baselines, 'getDefault').mockRejectedValue(busy);

    const { response, logged } = await get();

    expect(response).toEqual({
      status: 503,
      jsonBody: { error: 'Could not read the default baseline: the baseline table is busy', code: 'ServerBusy' },
      headers: { 'retry-after': retryAfter },
    });
    expect(logged).toEqual([
      { level: 'warning', message: 'Could not read the default baseline', properties: { invocationId, errorKind: 'transient', errorCode: 'ServerBusy', error: 'the baseline table is busy' } },
    ]);
  });

  it.each([
    ['an error no adapter translated', new Error('socket hang up talking to 10.0.0.4:10002')],
    ['a broken invariant', new InvariantError('DefaultMissing', 'the default pointer names version 9, which the store lacks')],
  ])('answers 500 without internals for %s, and logs it as an error with its stack', async (_what, bug) => {
    vi.spyOn(env.baselines, 'getDefault').mockRejectedValue(bug);

    const { response, logged } = await get();

    expect(response).toEqual({ status: 500, jsonBody: { error: `Could not read the default baseline: internal error; see the function logs for invocation ${invocationId}` } });
    expect(logged).toEqual([{ level: 'error', message: 'Could not read the default baseline', properties: expect.objectContaining({ invocationId, error: bug.message }) }]);
    expect(logged[0]!.properties['stack']).toEqual(expect.stringContaining(`${bug.name}: ${bug.message}\n    at `));
  });
});
