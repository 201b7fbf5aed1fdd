import { describe, expect, it } from 'vitest';
import { compileDeviceSelector, type CompiledDeviceSelector, type DeviceSelector } from '../../../src/domain/deviceSelector';

function compile(selector: DeviceSelector): CompiledDeviceSelector {
  const result = compileDeviceSelector(selector);
  if (!result.ok) throw new Error(result.issues[0]?.message);
  return result.value;
}

describe('compileDeviceSelector', () => {
  it.each([
    { pattern: undefined, deviceId: 'anything', matches: true },
    { pattern: 'sensor-\\d+', deviceId: 'sensor-12', matches: true },
    { pattern: 'sensor-\\d+', deviceId: 'old-sensor-12', matches: false, why: 'anchored at the start' },
    { pattern: 'sensor-\\d+', deviceId: 'sensor-12-old', matches: false, why: 'anchored at the end' },
    { pattern: 'a|b', deviceId: 'ab', matches: false, why: 'an alternation is anchored as a whole' },
    { pattern: 'a|b', deviceId: 'b', matches: true },
    { pattern: 'line\\-[0-9]', deviceId: 'line-3', matches: true, why: 'escapes that the u flag would reject work' },
    { pattern: 'Sensor', deviceId: 'sensor', matches: false, why: 'case-sensitive like device IDs' },
  ])('pattern $pattern matches $deviceId: $matches', ({ pattern, deviceId, matches }) => {
    const selector = compile(pattern === undefined ? { includeEdgeDevices: true } : { deviceIdPattern: pattern, includeEdgeDevices: true });
    expect(selector.matchesDeviceId(deviceId)).toBe(matches);
  });

  it.each([
    { includeEdgeDevices: true, isEdgeDevice: true, matches: true },
    { includeEdgeDevices: true, isEdgeDevice: false, matches: true },
    { includeEdgeDevices: false, isEdgeDevice: true, matches: false },
    { includeEdgeDevices: false, isEdgeDevice: false, matches: true },
  ])('includeEdgeDevices $includeEdgeDevices, edge device $isEdgeDevice → $matches', ({ includeEdgeDevices, isEdgeDevice, matches }) => {
    const selector = compile({ includeEdgeDevices, deviceIdPattern: 'dev-.*' });
    expect(selector.needsRegistry).toBe(!includeEdgeDevices);
    expect(selector.matchesDevice({ deviceId: 'dev-1', isEdgeDevice })).toBe(matches);
    expect(selector.matchesDevice({ deviceId: 'other', isEdgeDevice })).toBe(false);
  });

  it('keeps the selector it was compiled from', () => {
    const selector = { deviceIdPattern: 'x', includeEdgeDevices: false };
    expect(compile(selector).selector).toBe(selector);
  });

  it.each(['sensor-(', '[a-', 'a)|(b', '*x'])('rejects the invalid pattern %j, naming it', (pattern) => {
    expect(compileDeviceSelector({ deviceIdPattern: pattern, includeEdgeDevices: true })).toEqual({
      ok: false,
      issues: [
        {
          path: 'deviceIdPattern',
          rule: 'device-pattern',
          severity: 'error',
          message: expect.stringContaining(`deviceIdPattern ${JSON.stringify(pattern)} is not a valid JavaScript regular expression: `),
        },
      ],
    });
  });

  it('rejects an empty pattern, which would select no device', () => {
    expect(compileDeviceSelector({ deviceIdPattern: '', includeEdgeDevices: true })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ rule: 'device-pattern', message: expect.stringContaining('leave it out to select every device') })],
    });
  });
});
