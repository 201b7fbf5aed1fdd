import { describe, expect, it } from 'vitest';
import { ascClassic } from '../../../src/domain/profiles/ascClassic';
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { validateSettings } from '../../../src/domain/validateSettings';

describe('validateSettings', () => {
  it('accepts a partial configuration and returns it', () => {
    const settings = { snapshotFrequency: 'PT6H', eventPriorityLogin: 'Off' };
    expect(validateSettings(ascClassic, settings)).toEqual({ ok: true, value: settings, warnings: [] });
  });

  it('accepts with warnings when only warnings are found', () => {
    const result = validateSettings(ascClassic, { maxMessageSizeInBytes: 200000 });
    expect(result).toEqual({ ok: true, value: { maxMessageSizeInBytes: 200000 }, warnings: [expect.objectContaining({ rule: 'setting-multiple', severity: 'warning' })] });
  });

  it.each([null, 'PT7M', [], 42])('rejects settings that are not an object: %j', (settings) => {
    expect(validateSettings(ascClassic, settings)).toEqual({
      ok: false,
      issues: [{ path: 'settings', rule: 'settings-type', severity: 'error', message: expect.stringContaining('settings must be an object') }],
    });
  });

  it('rejects an unknown setting, naming it and the obvious valid name', () => {
    expect(validateSettings(ascClassic, { maxMesageSizeInBytes: 204800 }, 'overrides')).toEqual({
      ok: false,
      issues: [
        {
          path: 'overrides.maxMesageSizeInBytes',
          rule: 'unknown-setting',
          severity: 'error',
          message: expect.stringMatching(/^"maxMesageSizeInBytes" is not a setting of the Azure Security Center for IoT agent .*; did you mean "maxMessageSizeInBytes"\?$/),
        },
      ],
    });
  });

  it('rejects an unknown setting without a guess when none is obvious, including inherited names', () => {
    const result = validateSettings(defenderMicroAgent, JSON.parse('{"colour": "blue", "toString": "x", "__proto__": 1}'));
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((issue) => issue.path)).toEqual(['settings.colour', 'settings.toString', 'settings.__proto__']);
    expect(issues[0]?.message).toContain('see the defender-micro-agent profile for its settings');
  });

  it.each([null, undefined])('rejects %s as a value and explains how to get the default', (value) => {
    expect(validateSettings(ascClassic, { snapshotFrequency: value })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'settings.snapshotFrequency', rule: 'setting-type', message: expect.stringContaining('leave the setting out') })],
    });
  });

  it('reports every problem at once: values, cross-field rules and warnings', () => {
    const result = validateSettings(ascClassic, {
      maxLocalCacheSizeInBytes: 9000,
      maxMessageSizeInBytes: 204801,
      eventPriorityLogin: 'high',
      highPriorityMessageFrequency: 'PT1.5H',
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((issue) => [issue.path, issue.rule, issue.severity])).toEqual([
      ['settings.maxMessageSizeInBytes', 'setting-multiple', 'warning'],
      ['settings.eventPriorityLogin', 'setting-enum', 'error'],
      ['settings.highPriorityMessageFrequency', 'duration-fraction', 'error'],
      ['settings.maxLocalCacheSizeInBytes', 'cache-at-least-message-size', 'error'],
    ]);
  });

  it('rejects settings whose desired document would break IoT Hub twin limits', () => {
    const long = 'x'.repeat(4097);
    const result = validateSettings(defenderMicroAgent, { SystemInformation_HardwareVendor: long, Statistics_CacheSize: 2 ** 53 });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toEqual([
      expect.objectContaining({ path: 'properties.desired.SystemInformation_HardwareVendor', rule: 'twin-string-length', severity: 'error' }),
      expect.objectContaining({ path: 'properties.desired.Statistics_CacheSize', rule: 'twin-number-range', severity: 'error' }),
    ]);
  });

  it('rejects a configuration over the 32 KB desired limit', () => {
    const vendor = 'v'.repeat(4000);
    const settings = Object.fromEntries(
      ['HardwareVendor', 'HardwareModel', 'HardwareSerialNumber', 'FirmwareVendor', 'FirmwareVersion'].map((field) => [`SystemInformation_${field}`, vendor]),
    );
    expect(validateSettings(defenderMicroAgent, settings).ok).toBe(true);
    const wrapped = { ...settings, Baseline_GroupsDisabled: vendor, Baseline_ChecksDisabled: vendor, FileSystem_Paths: vendor, NetworkActivity_Devices: vendor };
    const result = validateSettings(defenderMicroAgent, wrapped);
    expect(result.ok ? [] : result.issues).toEqual([
      expect.objectContaining({ path: 'properties.desired', rule: 'twin-section-size', message: expect.stringContaining('over its 32768-byte limit') }),
    ]);
  });
});
