import type { TableClient } from '@azure/data-tables';
import type { SweepState, SweepStateStore } from '../../app/ports/sweepStateStore';
import { ensureTableOnce } from './createTableClient';

const partitionKey = 'sweep';
/** Table properties hold at most 64 KiB each and an entity 1 MiB: the filter goes in chunks over several rows. */
const chunkBytes = 60_000;
const chunksPerRow = 15;

interface StateEntity {
  partitionKey: string;
  rowKey: string;
  stateJson: string;
  filterBytes: number;
  filterHashCount: number;
  filterSeed: number;
}

/**
 * The sweep's state in Table Storage: one row for where it is, and the device filter (about 1.2 MB for a
 * million devices) in rows of binary chunks, written before the state row that points at them, so a state
 * read back always finds the filter it was saved with.
 */
export class TableSweepStateStore implements SweepStateStore {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly client: TableClient) {
    this.ensureTable = ensureTableOnce(client);
  }

  async load(): Promise<SweepState | undefined> {
    await this.ensureTable();
    let entity: StateEntity;
    try {
      entity = await this.client.getEntity<StateEntity>(partitionKey, 'state');
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
    const bits = new Uint8Array(entity.filterBytes);
    const rows = Math.ceil(entity.filterBytes / (chunkBytes * chunksPerRow));
    for (let row = 0; row < rows; row++) {
      const chunks = await this.client.getEntity<Record<string, unknown>>(partitionKey, `filter-${row}`);
      for (let chunk = 0; chunk < chunksPerRow; chunk++) {
        const data = chunks[`c${chunk}`];
        if (data instanceof Uint8Array) bits.set(data, (row * chunksPerRow + chunk) * chunkBytes);
      }
    }
    const state = JSON.parse(entity.stateJson) as Omit<SweepState, 'filter'>;
    return { ...state, filter: { bits, hashCount: entity.filterHashCount, seed: entity.filterSeed } };
  }

  async save(state: SweepState, options: { readonly withFilter: boolean }): Promise<void> {
    await this.ensureTable();
    const { bits } = state.filter;
    if (options.withFilter) {
      for (let offset = 0, row = 0; offset < bits.length; offset += chunkBytes * chunksPerRow, row++) {
        const entity: Record<string, unknown> = { partitionKey, rowKey: `filter-${row}` };
        for (let chunk = 0; chunk < chunksPerRow; chunk++) {
          const start = offset + chunk * chunkBytes;
          if (start < bits.length) entity[`c${chunk}`] = bits.subarray(start, Math.min(bits.length, start + chunkBytes));
        }
        await this.client.upsertEntity(entity as { partitionKey: string; rowKey: string }, 'Replace');
      }
    }
    const { filter, ...rest } = state;
    const entity: StateEntity = { partitionKey, rowKey: 'state', stateJson: JSON.stringify(rest), filterBytes: bits.length, filterHashCount: filter.hashCount, filterSeed: filter.seed };
    await this.client.upsertEntity(entity, 'Replace');
  }
}
