import { describe, expect, it } from 'vitest';
import { agentModeChooser } from '../../local/securityAgents/agentModes';

const devices = Array.from({ length: 4000 }, (_, i) => `device-${i}`);

describe('agentModeChooser', () => {
  it('gives each device the same agent for the same seed, whatever the order devices are asked about', () => {
    const shares = { share: 0.8, rejectingShare: 0.2, offlineShare: 0.1, seed: 7 };
    const forward = devices.map(agentModeChooser(shares));
    const backward = [...devices].reverse().map(agentModeChooser(shares)).reverse();
    expect(backward).toEqual(forward);
    expect(devices.map(agentModeChooser({ ...shares, seed: 8 }))).not.toEqual(forward);
  });

  it('draws the shares asked for: of devices for an agent, of agents for each mode', () => {
    const modes = devices.map(agentModeChooser({ share: 0.75, rejectingShare: 0.2, offlineShare: 0.1, seed: 1 }));
    const count = (mode: string) => modes.filter((m) => m === mode).length;
    const agents = devices.length - count('none');
    expect(agents / devices.length).toBeCloseTo(0.75, 1);
    expect(count('rejecting') / agents).toBeCloseTo(0.2, 1);
    expect(count('offline') / agents).toBeCloseTo(0.1, 1);
    expect(count('accepting') / agents).toBeCloseTo(0.7, 1);
  });

  it('gives every device an accepting agent by default shares of 1, 0, 0, and none with a share of 0', () => {
    expect(new Set(devices.map(agentModeChooser({ share: 1, rejectingShare: 0, offlineShare: 0, seed: 3 })))).toEqual(new Set(['accepting']));
    expect(new Set(devices.map(agentModeChooser({ share: 0, rejectingShare: 0, offlineShare: 0, seed: 3 })))).toEqual(new Set(['none']));
  });

  it.each([
    [{ share: 1.5, rejectingShare: 0, offlineShare: 0, seed: 1 }, 'share must be between 0 and 1, not 1.5'],
    [{ share: 1, rejectingShare: -0.1, offlineShare: 0, seed: 1 }, 'rejectingShare must be between 0 and 1, not -0.1'],
    [{ share: 1, rejectingShare: 0, offlineShare: Number.NaN, seed: 1 }, 'offlineShare must be between 0 and 1, not NaN'],
    [{ share: 1, rejectingShare: 0.6, offlineShare: 0.5, seed: 1 }, 'rejectingShare + offlineShare must be at most 1, not 1.1'],
  ])('refuses shares %j', (shares, message) => {
    expect(() => agentModeChooser(shares)).toThrow(message);
  });
});
