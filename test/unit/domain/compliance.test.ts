import { describe, expect, it } from 'vitest';
import type { AgentProfile, SettingValue } from '../../../src/domain/agentProfile';
import type { BaselineAssignment } from '../../../src/domain/assignment';
import { classifyCompliance, complianceStates, type ComplianceInput } from '../../../src/domain/compliance';
import { desiredConfigurationDocument } from '../../../src/domain/desiredConfiguration';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { testBaseline } from '../../support/baselines';

const KEY = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const now = new Date('2026-11-27T12:00:00.000Z');
const written = '2026-11-27T11:00:00.0000000Z';
const before = '2026-11-27T10:59:59.9990000Z';
const after = '2026-11-27T11:00:00.0010000Z';
const assignment: BaselineAssignment = { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-27T10:00:00Z' };
const baseline = testBaseline();
const microBaseline = testBaseline({ profile: 'defender-micro-agent' });

/** Desired properties holding `settings` as the product writes them, stamped `stamp` (null: without metadata, as fakes keep them). */
function desired(profile: AgentProfile, settings: Readonly<Record<string, SettingValue>>, stamp: string | null = written): Record<string, unknown> {
  return { ...desiredConfigurationDocument(profile, settings), ...(stamp === null ? {} : { $metadata: { $lastUpdated: stamp } }), $version: 3 };
}

/** What the C agent reports: its configuration wrapped under the object, stamped `stamp`. */
function ascReported(settings: Readonly<Record<string, SettingValue>>, stamp: string | undefined): Record<string, unknown> {
  const metadata = stamp === undefined ? {} : { $metadata: { $lastUpdated: stamp, [KEY]: { $lastUpdated: stamp } } };
  return { ...desiredConfigurationDocument(ascClassic, settings), ...metadata };
}

function microReported(fields: Readonly<Record<string, unknown>>, stamp: string | undefined): Record<string, unknown> {
  const metadata = stamp === undefined ? {} : { $metadata: { $lastUpdated: stamp, latest_state: { $lastUpdated: stamp } } };
  return { ...fields, ...metadata };
}

function classify(overrides: Partial<ComplianceInput> & { tags?: unknown; desired?: unknown; reported?: unknown }) {
  const { tags = { securityBaseline: assignment }, desired: desiredProperties = desired(ascClassic, baseline.settings), reported = {}, ...rest } = overrides;
  return classifyCompliance({ profile: ascClassic, baseline, now, twin: { tags, desired: desiredProperties, reported }, ...rest });
}

/** The C agent's answer to the default baseline: lower-case priorities, canonical durations, its own keys only. */
const cAgentAnswer: Record<string, SettingValue> = {
  maxLocalCacheSizeInBytes: 2560000,
  maxMessageSizeInBytes: 204800,
  highPriorityMessageFrequency: 'PT7M',
  lowPriorityMessageFrequency: 'PT5H',
  snapshotFrequency: 'PT13H',
  eventPriorityLogin: 'high',
  eventPriorityProcessCreate: 'low',
  aggregationIntervalProcessCreate: 'PT1H',
};

describe('classifyCompliance: what the product holds the twin to', () => {
  it('lists every state once', () => {
    expect(new Set(complianceStates).size).toBe(7);
  });

  it('is unmanaged without a module twin', () => {
    expect(classifyCompliance({ profile: ascClassic, twin: undefined, baseline: undefined, now })).toEqual({
      state: 'unmanaged',
      reason: 'the device has no azureiotsecurity module (or the device does not exist)',
    });
  });

  it('is unmanaged without an assignment', () => {
    expect(classify({ tags: {} })).toEqual({ state: 'unmanaged', reason: 'no baseline is assigned: the twin has no tags.securityBaseline' });
  });

  it('is unmanaged with an unreadable assignment, naming the problems', () => {
    expect(classify({ tags: { securityBaseline: { ...assignment, version: '1' } } })).toEqual({
      state: 'unmanaged',
      reason: expect.stringMatching(/^tags.securityBaseline cannot be read: tags.securityBaseline.version \("1"\) must be a whole number/),
    });
  });

  it('is unmanaged when the assigned baseline does not exist or is for the other agent', () => {
    expect(classify({ baseline: undefined })).toEqual({ state: 'unmanaged', reason: 'the assigned baseline default v1 does not exist' });
    expect(classify({ baseline: microBaseline })).toEqual({
      state: 'unmanaged',
      reason: 'the assigned baseline default v1 is for agent profile defender-micro-agent, not asc-classic',
    });
  });

  it('is exempt until exemptUntil, with the reason given, whatever the configuration; enforced again once it passes', () => {
    const exempt = { ...assignment, exemptUntil: '2026-11-28T00:00:00Z', exemptReason: 'firmware trial' };
    expect(classify({ tags: { securityBaseline: exempt }, desired: {}, baseline: undefined })).toEqual({
      state: 'exempt',
      reason: 'exempt from default v1 until 2026-11-28T00:00:00Z: firmware trial',
    });
    expect(classify({ tags: { securityBaseline: { ...exempt, exemptReason: '' } } }).reason).toBe('exempt from default v1 until 2026-11-28T00:00:00Z');
    expect(classify({ tags: { securityBaseline: { ...exempt, exemptReason: undefined } } }).reason).toBe('exempt from default v1 until 2026-11-28T00:00:00Z');
    expect(classify({ tags: { securityBaseline: { ...exempt, exemptUntil: '2026-11-27T11:59:59Z' } } }).state).toBe('pending');
  });

  it('is drifted when the desired configuration differs, naming the settings', () => {
    const changed = desired(ascClassic, { ...baseline.settings, snapshotFrequency: 'PT1H', eventPriorityLogin: 'Low' });
    expect(classify({ desired: changed })).toEqual({
      state: 'drifted',
      reason: 'the desired configuration differs from default v1 in 2 settings (eventPriorityLogin, snapshotFrequency); enforcement puts it back',
      settings: ['eventPriorityLogin', 'snapshotFrequency'],
    });
  });

  it('says so for a drift in audit mode, and shortens a long list', () => {
    const verdict = classify({ tags: { securityBaseline: { ...assignment, mode: 'audit' } }, desired: {} });
    expect(verdict.state).toBe('drifted');
    expect(verdict.reason).toBe(
      'the desired configuration differs from default v1 in 25 settings (aggregationEnabledConnectionCreate, aggregationEnabledProcessCreate, aggregationEnabledProcessTerminate, and 22 more); audit mode: recorded, not corrected',
    );
    expect(verdict.settings).toHaveLength(25);
  });

  it('is contested when the configuration differs and corrections back off until later; a passed back-off is a drift again', () => {
    const changed = desired(ascClassic, { ...baseline.settings, snapshotFrequency: 'PT1H' });
    expect(classify({ desired: changed, contestedUntil: '2026-11-27T12:05:00.000Z' })).toEqual({
      state: 'contested',
      reason: 'the desired configuration differs from default v1 in 1 setting (snapshotFrequency); the twin keeps being changed back, so corrections back off until 2026-11-27T12:05:00.000Z',
      settings: ['snapshotFrequency'],
    });
    expect(classify({ desired: changed, contestedUntil: '2026-11-27T11:59:00.000Z' }).state).toBe('drifted');
  });

  it('is not contested while the twin holds its baseline', () => {
    expect(classify({ reported: ascReported(cAgentAnswer, after), contestedUntil: '2026-11-27T12:05:00.000Z' }).state).toBe('compliant');
  });
});

describe("classifyCompliance: the asc-classic agent's answer", () => {
  it('is pending before the agent reports anything', () => {
    expect(classify({ reported: {} })).toEqual({
      state: 'pending',
      reason: `the agent has not reported its configuration yet (desired configuration written ${written})`,
    });
    expect(classify({ desired: desired(ascClassic, baseline.settings, null) }).reason).toBe('the agent has not reported its configuration yet');
  });

  it("is compliant when the agent reports the baseline in its own spelling, whenever it wrote it", () => {
    for (const stamp of [after, before, undefined]) {
      expect(classify({ reported: ascReported(cAgentAnswer, stamp) })).toEqual({ state: 'compliant', reason: 'the agent reports default v1: 8 settings agree' });
    }
  });

  it('is rejected when the agent answered the current configuration with its old one', () => {
    const old = { ...cAgentAnswer, maxLocalCacheSizeInBytes: 10485760 };
    for (const stamp of [after, written]) {
      expect(classify({ reported: ascReported(old, stamp) })).toEqual({
        state: 'rejected',
        reason: 'the agent answered default v1 with another configuration, so it refused it: maxLocalCacheSizeInBytes reported 10485760, baseline 2560000',
        settings: ['maxLocalCacheSizeInBytes'],
      });
    }
  });

  it('is pending while the old configuration predates the desired one, or when there is no telling', () => {
    const old = { ...cAgentAnswer, highPriorityMessageFrequency: 'PT5M', lowPriorityMessageFrequency: 'PT1H', snapshotFrequency: 'PT1H', eventPriorityLogin: 'off' };
    expect(classify({ reported: ascReported(old, before) })).toEqual({
      state: 'pending',
      reason: `the agent still reports an older configuration (highPriorityMessageFrequency reported "PT5M", baseline "PT7M"; lowPriorityMessageFrequency reported "PT1H", baseline "PT5H"; snapshotFrequency reported "PT1H", baseline "PT13H"; and 1 more) and has not answered default v1 yet (desired configuration written ${written})`,
      settings: ['highPriorityMessageFrequency', 'lowPriorityMessageFrequency', 'snapshotFrequency', 'eventPriorityLogin'],
    });
    expect(classify({ reported: ascReported(old, undefined) }).state).toBe('pending');
    expect(classify({ reported: ascReported(old, after), desired: desired(ascClassic, baseline.settings, null) }).state).toBe('pending');
  });

  it('lists every difference of a refusal beyond the first three', () => {
    const old = { ...cAgentAnswer, highPriorityMessageFrequency: 'PT5M', lowPriorityMessageFrequency: 'PT1H', snapshotFrequency: 'PT1H', eventPriorityLogin: 'off' };
    expect(classify({ reported: ascReported(old, after) }).reason).toMatch(/; and 1 more$/);
  });

  it('with a baseline of defaults only, is compliant once the agent answered after the configuration was written', () => {
    const empty = testBaseline();
    const defaultsOnly = { ...empty, settings: {} };
    const twin = { desired: desired(ascClassic, {}), baseline: defaultsOnly };
    expect(classify({ ...twin, reported: ascReported({ maxLocalCacheSizeInBytes: 10485760 }, after) })).toEqual({
      state: 'compliant',
      reason: 'the agent reported after default v1',
    });
    expect(classify({ ...twin, reported: ascReported({ maxLocalCacheSizeInBytes: 10485760 }, before) })).toEqual({
      state: 'pending',
      reason: `the agent has not answered default v1 yet (desired configuration written ${written})`,
    });
  });
});

describe("classifyCompliance: the micro agent's answer", () => {
  const classifyMicro = (reported: unknown, settings: Readonly<Record<string, SettingValue>> = microBaseline.settings) =>
    classifyCompliance({
      profile: defenderMicroAgent,
      baseline: microBaseline,
      now,
      twin: { tags: { securityBaseline: assignment }, desired: desired(defenderMicroAgent, settings), reported },
    });

  it('is compliant when it confirmed the current configuration, or reports the same settings', () => {
    expect(classifyMicro(microReported({ latest_state: 'success', latest_invalid_fields: [] }, after))).toEqual({
      state: 'compliant',
      reason: 'the agent confirmed default v1',
    });
    expect(classifyMicro(microReported({ latest_state: 'success', ...microBaseline.settings }, before))).toEqual({
      state: 'compliant',
      reason: 'the agent reports default v1: 35 settings agree',
    });
  });

  it('is pending while its success is about an older configuration', () => {
    expect(classifyMicro(microReported({ latest_state: 'success' }, before)).state).toBe('pending');
  });

  it('is rejected when it failed the current configuration, naming the invalid fields', () => {
    expect(classifyMicro(microReported({ latest_state: 'failed', latest_invalid_fields: ['Process_Mode'] }, after))).toEqual({
      state: 'rejected',
      reason: 'the agent refused default v1: the agent reports latest_state "failed" with invalid fields Process_Mode',
      settings: ['Process_Mode'],
    });
    expect(classifyMicro(microReported({ latest_state: 'failed' }, after))).toEqual({
      state: 'rejected',
      reason: 'the agent refused default v1: the agent reports latest_state "failed" without naming the invalid fields',
    });
  });

  it('is pending while its failure is about an older configuration', () => {
    expect(classifyMicro(microReported({ latest_state: 'failed', latest_invalid_fields: ['Process_Mode'] }, before))).toEqual({
      state: 'pending',
      reason: `the agent refused an earlier configuration (the agent reports latest_state "failed" with invalid fields Process_Mode) and has not answered default v1 yet (desired configuration written ${written})`,
      settings: ['Process_Mode'],
    });
  });
});
