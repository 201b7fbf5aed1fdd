// Which devices run an agent, and how it behaves: drawn per device from the seed and the device ID alone,
// so a device keeps its agent across runs, restarts and whatever order devices are created or seen in.
import { seededRandom } from '../seededRandom';

/** `accepting`: reports what it parsed. `rejecting`: also refuses the settings it is told to. `offline`: never reports. */
export type AgentMode = 'accepting' | 'rejecting' | 'offline';

export interface AgentShares {
  /** Share of devices that run an agent, 0 to 1. */
  readonly share: number;
  /** Share of those agents that are `rejecting`, 0 to 1. */
  readonly rejectingShare: number;
  /** Share of those agents that are `offline`, 0 to 1; with rejectingShare at most 1. */
  readonly offlineShare: number;
  readonly seed: number;
}

export function agentModeChooser(shares: AgentShares): (deviceId: string) => AgentMode | 'none' {
  for (const [name, value] of Object.entries(shares)) {
    if (name !== 'seed' && !(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, not ${value}`);
  }
  if (shares.rejectingShare + shares.offlineShare > 1) {
    throw new RangeError(`rejectingShare + offlineShare must be at most 1, not ${shares.rejectingShare + shares.offlineShare}`);
  }
  return (deviceId) => {
    if (draw(shares.seed, 'agent', deviceId) >= shares.share) return 'none';
    const mode = draw(shares.seed, 'mode', deviceId);
    if (mode < shares.offlineShare) return 'offline';
    return mode < shares.offlineShare + shares.rejectingShare ? 'rejecting' : 'accepting';
  };
}

/** A number in [0, 1) from the seed, what is drawn and the device: FNV-1a of the three, mixed by the shared PRNG. */
export function draw(seed: number, what: string, deviceId: string): number {
  let hash = 0x811c9dc5;
  for (const character of `${seed}\u0000${what}\u0000${deviceId}`) {
    hash ^= character.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return seededRandom(hash)();
}
