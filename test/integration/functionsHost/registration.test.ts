import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { app } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredFunctions } from '../../local/functionsHost/functionsCore';
import { LocalFunctionsHost } from '../../local/functionsHost/localFunctionsHost';
import { resolveMainGlob } from '../../local/functionsHost/resolveMainGlob';

const sampleApp = path.join(__dirname, 'fixtures', 'sampleApp.ts');
const settings = {
  SampleEventHubConnection: 'Endpoint=sb://smt-local.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=a2V5',
  SampleTwinHub: 'twin-changes',
  SampleSweepSchedule: '0 */5 * * * *',
};

// Functions the host must refuse to index, as the real host would.
app.eventHub('registrationMissingConnection', { connection: 'RegistrationNoSuchConnection', eventHubName: 'twin', handler: () => undefined });
app.timer('registrationUnixCron', { schedule: '*/5 * * * *', handler: () => undefined });
app.timer('registrationSubSecondRetry', { schedule: '0 0 * * * *', retry: { strategy: 'fixedDelay', maxRetryCount: 1, delayInterval: 400 }, handler: () => undefined });

describe('LocalFunctionsHost registration', () => {
  let host: LocalFunctionsHost;

  beforeAll(async () => {
    host = await LocalFunctionsHost.load({ functionModules: [sampleApp], settings });
  });

  it('lists every function the app registered through the real @azure/functions', () => {
    const names = host.functions().map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['sampleDeviceCreated', 'sampleTwinChanges', 'sampleSweep', 'sampleRollout', 'sampleStatus']));
  });

  it('keeps the Event Grid binding metadata as registered, with a deterministic binding name', () => {
    const f = host.getFunction('sampleDeviceCreated')!;
    expect(f.triggerType).toBe('eventGridTrigger');
    expect(f.triggerBindingName).toMatch(/^eventGridTrigger[0-9a-f]+$/);
    expect(f.bindings[f.triggerBindingName]).toEqual({
      name: f.triggerBindingName,
      type: 'eventGridTrigger',
      direction: 'in',
      properties: { supportsDeferredBinding: 'false' },
    });
    const outputs = Object.entries(f.bindings).filter(([, b]) => b.direction === 'out');
    expect(outputs).toEqual([[expect.stringMatching(/^eventHubOutput[0-9a-f]+$/), expect.objectContaining({ type: 'eventHub', direction: 'out', eventHubName: 'security-audit', connection: 'SampleEventHubConnection' })]]);
    expect(f.retryOptions).toBeUndefined();
  });

  it('derives the Event Hubs source with app settings resolved and keeps the normalised retry options', () => {
    const f = host.getFunction('sampleTwinChanges')!;
    expect(f.triggerType).toBe('eventHubTrigger');
    expect(f.bindings[f.triggerBindingName]).toMatchObject({ direction: 'in', eventHubName: '%SampleTwinHub%', cardinality: 'many', consumerGroup: 'smt-reconciler' });
    expect(f.eventHub).toEqual({ connection: 'SampleEventHubConnection', eventHubName: 'twin-changes', cardinality: 'many', consumerGroup: 'smt-reconciler' });
    // The library sends durations as whole seconds and repeats the strategy as retryStrategy.
    expect(f.retryOptions).toEqual({
      strategy: 'exponentialBackoff',
      retryStrategy: 'exponentialBackoff',
      maxRetryCount: 3,
      minimumInterval: { seconds: 4 },
      maximumInterval: { seconds: 900 },
    });
  });

  it('rounds retry intervals to whole seconds, so sub-second delays become zero', () => {
    expect(host.getFunction('sampleSweep')!.retryOptions).toEqual({ strategy: 'fixedDelay', retryStrategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 2 } });
    expect(host.getFunction('registrationSubSecondRetry')!.retryOptions?.delayInterval).toEqual({ seconds: 0 });
  });

  it('resolves the timer schedule from app settings', () => {
    const f = host.getFunction('sampleSweep')!;
    expect(f.triggerType).toBe('timerTrigger');
    expect(f.bindings[f.triggerBindingName]).toMatchObject({ schedule: '%SampleSweepSchedule%' });
    expect(f.timer).toEqual({ schedule: '0 */5 * * * *', runOnStartup: false, useMonitor: true });
  });

  it('describes HTTP triggers with route, methods, auth level, the return binding and extra inputs', () => {
    const rollout = host.getFunction('sampleRollout')!;
    expect(rollout.triggerType).toBe('httpTrigger');
    expect(rollout.http).toEqual({ route: 'rollouts/{id}/{action?}', methods: ['POST'], authLevel: 'function' });
    expect(rollout.bindings['$return']).toMatchObject({ type: 'http', direction: 'out' });
    expect(rollout.bindings['starter']).toMatchObject({ type: 'durableClient', direction: 'in' });
    // The library defaults: GET and POST, anonymous, and the host's default route is the function name.
    expect(host.getFunction('sampleStatus')!.http).toEqual({ route: 'sampleStatus', methods: ['GET', 'POST'], authLevel: 'anonymous' });
  });

  it('refuses to index functions whose connection setting is missing or whose schedule is not NCRONTAB', async () => {
    const missing = host.getFunction('registrationMissingConnection')!;
    expect(missing.indexingError).toContain("'RegistrationNoSuchConnection' does not exist");
    expect(host.getFunction('registrationUnixCron')!.indexingError).toContain("'*/5 * * * *' was not recognized");
    expect(host.logs({ minLevel: 'error' }).map((l) => l.message)).toEqual(
      expect.arrayContaining([expect.stringContaining("Error indexing method 'Functions.registrationMissingConnection'")]),
    );
    await expect(host.invoke('registrationMissingConnection', { kind: 'eventHub', messages: [] })).rejects.toThrow('does not exist');
  });

  it('rejects an unknown function and a trigger input of the wrong kind', async () => {
    await expect(host.invoke('noSuchFunction', { kind: 'timer' })).rejects.toThrow("Function 'noSuchFunction' is not registered");
    await expect(host.invoke('sampleSweep', { kind: 'eventGrid', event: {} })).rejects.toThrow("a 'eventGrid' trigger input cannot invoke it");
  });

  it('loads the same modules again in one process by re-using the registry', async () => {
    const before = registeredFunctions().size;
    const again = await LocalFunctionsHost.load({ functionModules: [sampleApp], settings });
    expect(registeredFunctions().size).toBe(before);
    expect(again.functions().map((f) => f.name)).toEqual(host.functions().map((f) => f.name));
    const result = await again.invoke('sampleSweep', { kind: 'timer' });
    expect(result.returnValue).toEqual({ swept: true });
  });
});

describe('LocalFunctionsHost settings', () => {
  it('applies settings to process.env before loading but keeps variables the environment already defines', async () => {
    process.env['SMT_REGISTRATION_PRESET'] = 'from-environment';
    const host = await LocalFunctionsHost.load({
      functionModules: [],
      settings: { SMT_REGISTRATION_PRESET: 'from-settings', SMT_REGISTRATION_NEW: 'from-settings' },
    });
    expect(process.env['SMT_REGISTRATION_PRESET']).toBe('from-environment');
    expect(process.env['SMT_REGISTRATION_NEW']).toBe('from-settings');
    expect(host.logs({ minLevel: 'warning' }).map((l) => l.message)).toContain(
      "Skipping 'SMT_REGISTRATION_PRESET' from local settings as it's already defined in current environment variables.",
    );
  });
});

describe('resolveMainGlob', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'smt-main-glob-'));
    mkdirSync(path.join(root, 'dist', 'src', 'functions'), { recursive: true });
    for (const file of ['onDeviceCreated.js', 'enforce.js', 'enforce.js.map', 'notes.txt']) {
      writeFileSync(path.join(root, 'dist', 'src', 'functions', file), '');
    }
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const writeMain = (main: unknown) => writeFileSync(path.join(root, 'package.json'), JSON.stringify(main === undefined ? {} : { main }));

  it('expands a * in the last segment to the matching files, sorted', () => {
    writeMain('dist/src/functions/*.js');
    expect(resolveMainGlob(root)).toEqual([path.join(root, 'dist/src/functions/enforce.js'), path.join(root, 'dist/src/functions/onDeviceCreated.js')]);
  });

  it('returns a plain "main" as one absolute path', () => {
    writeMain('dist/src/functions/enforce.js');
    expect(resolveMainGlob(root)).toEqual([path.join(root, 'dist/src/functions/enforce.js')]);
  });

  it('fails loudly for a missing main, a glob outside the last segment, and no match', () => {
    writeMain(undefined);
    expect(() => resolveMainGlob(root)).toThrow('has no "main"');
    writeMain('dist/*/functions/*.js');
    expect(() => resolveMainGlob(root)).toThrow("only a '*' in the last path segment");
    writeMain('dist/src/functions/*.cjs');
    expect(() => resolveMainGlob(root)).toThrow('no file matches');
    writeMain('dist/missing.js');
    expect(() => resolveMainGlob(root)).toThrow('File does not exist');
  });
});
