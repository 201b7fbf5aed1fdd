import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partitionIndexForKey } from '../../local/eventHubs/partitionKeyHash';

// The real SDK's own copy of the service's mapping (used by its buffered producer; not exported by the package).
const require = createRequire(__filename);
const sdkMapper = require(join(dirname(require.resolve('@azure/event-hubs')), 'impl', 'partitionKeyToIdMapper.js')) as {
  mapPartitionKeyToId(partitionKey: string, partitionCount: number): number;
};

describe('partition of a partition key', () => {
  it('is where the real SDK predicts Event Hubs puts it, for keys of every length and non-ASCII keys', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => (i % 5 === 0 ? 'k'.repeat(i % 41) : `sensor-${i}${'é'.repeat(i % 4)}#?/`));
    const mismatches: string[] = [];
    for (const key of keys) {
      for (const count of [1, 2, 3, 4, 8, 32]) {
        if (partitionIndexForKey(key, count) !== sdkMapper.mapPartitionKeyToId(key, count)) mismatches.push(`${key} of ${count}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('spreads device IDs over the partitions', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[partitionIndexForKey(`device-${i}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});
