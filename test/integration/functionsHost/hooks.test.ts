// Hooks are process-wide in '@azure/functions': they get a test file of their own, act only on this
// file's functions and are disposed afterwards, so they cannot leak into other tests of a shared process.
import { app, type InvocationContext } from '@azure/functions';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFunctionsHost } from '../../local/functionsHost/localFunctionsHost';

const seen: string[] = [];
const received: unknown[] = [];

const ours = (context: { invocationContext?: InvocationContext | undefined }) => context.invocationContext?.functionName.startsWith('hooks') === true;

const disposables = [
  app.hook.appStart((context) => {
    seen.push('appStart');
    context.hookData['startMarker'] = 'set-by-appStart';
  }),
  // appStart and appTerminate share their hookData, as in the worker.
  app.hook.appTerminate((context) => void seen.push(`appTerminate:${String(context.hookData['startMarker'])}`)),
  app.hook.preInvocation((context) => {
    if (!ours(context)) return;
    seen.push(`pre:${context.invocationContext.functionName}:${String(context.hookData['startMarker'])}`);
    context.hookData['token'] = 'from-pre';
    context.inputs = [{ replacedBy: 'preInvocation' }];
  }),
  app.hook.postInvocation((context) => {
    if (!ours(context)) return;
    const error = context.error instanceof Error ? context.error.message : 'no error';
    seen.push(`post:${String(context.hookData['token'])}:${JSON.stringify(context.result)}:${error}`);
    if (context.invocationContext.functionName === 'hooksForgiven') context.error = null;
  }),
  app.hook.log((context) => {
    if (ours(context) && context.category === 'user') context.message = `[redacted] ${context.message.replace(/secret-\w+/g, '***')}`;
  }),
];

app.eventGrid('hooksProbe', {
  handler: (event: unknown, context: InvocationContext) => {
    received.push(event);
    context.log('using secret-abc123');
    return 'probe-result';
  },
});
app.eventGrid('hooksForgiven', {
  handler: () => {
    throw new Error('handled by a postInvocation hook');
  },
});

describe('LocalFunctionsHost hooks', () => {
  afterAll(() => disposables.forEach((d) => d.dispose()));

  it('runs appStart once per process, then pre/post invocation and log hooks around each invocation, and appTerminate on close', async () => {
    const host = await LocalFunctionsHost.load({ functionModules: [] });
    const second = await LocalFunctionsHost.load({ functionModules: [] });
    expect(seen).toEqual(['appStart']);

    const result = await host.invoke('hooksProbe', { kind: 'eventGrid', event: { id: 'original' } });
    expect(received).toEqual([{ replacedBy: 'preInvocation' }]);
    expect(result.returnValue).toBe('probe-result');
    expect(result.logs).toContainEqual(expect.objectContaining({ category: 'user', message: '[redacted] using ***' }));
    // Invocation hooks get their own hookData, shared only between pre and post of one invocation.
    expect(seen.slice(1)).toEqual(['pre:hooksProbe:undefined', 'post:from-pre:"probe-result":no error']);

    // A postInvocation hook may clear the error; the invocation then succeeds, as in the worker.
    await expect(second.invoke('hooksForgiven', { kind: 'eventGrid', event: {} })).resolves.toMatchObject({ functionName: 'hooksForgiven' });
    expect(seen.at(-1)).toBe('post:from-pre:null:handled by a postInvocation hook');

    await host.close();
    expect(seen.at(-1)).toBe('appTerminate:set-by-appStart');
    await expect(host.invoke('hooksProbe', { kind: 'eventGrid', event: {} })).rejects.toThrow('closed');
  });
});
