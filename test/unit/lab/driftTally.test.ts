import { describe, expect, it } from 'vitest';
import type { HostLogEntry } from '../../local/functionsHost';
import { driftTally } from '../../local/lab/driftTally';
import { describeProgress } from '../../local/lab/labProgress';

const line = (message: string, category: HostLogEntry['category'] = 'user'): HostLogEntry => ({ timestamp: '2026-11-29T10:00:00.000Z', level: 'information', category, message });

describe('driftTally', () => {
  it('adds up what the twin-change batches and sweep runs report, and passes every line on', () => {
    const passed: string[] = [];
    const tally = driftTally();
    const logger = tally.logger({ log: (entry) => passed.push(entry.message) });
    logger.log(line('Twin-change batch of 5 notifications handled {"counts":{"echo":2,"corrected":2,"drift-observed":1},"twinsReconciled":3}'));
    logger.log(line('Sweep 2026-11-29T09:00:00.000Z finished {"sweepId":"x","phase":"done","counts":{"in-line":90,"assigned":1,"contested":1}}'));
    logger.log(line('Twin-change batch of 1 notifications handled {"counts":{"corrected":9}}', 'host'));
    logger.log(line('Device d1: corrected {"deviceId":"d1"}'));

    expect(tally.counts()).toEqual({ seen: 5, corrected: 3, observed: 1, contested: 1 });
    expect(passed).toHaveLength(4);
    expect(
      describeProgress({ secured: 3, selected: 3, throttled: 0, failed: 0, redeliveries: 0, deadLettered: 0, drift: tally.counts() }),
    ).toBe('secured 3/3 ✓ · hub calls: 0 throttled, 0 failed · Event Grid: 0 re-deliveries · drift: 5 seen, 3 corrected, 1 left (audit mode), 1 contested');
  });
});
