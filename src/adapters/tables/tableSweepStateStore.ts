import type { TableClient } from '@azure/data-tables';
import type { SweepState, SweepStateStore } from '../../app/ports/sweepStateStore';
import { ensureTableOnce } from './createTableClient';

const partitionKey = 'sweep';
/**
 * A table property holds at most 64 KiB and an entity 1 MiB, both counted on the wire, where binary travels
 * as base64 (4 characters per 3 bytes, UTF-16): the filter goes in 24 KB chunks, 4 to a row (what Azurite accepts of an entity, with room to spare).
 */
const chunkBytes = 24_000;
const chunksPerRow = 4;

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
    const entity = await this.readState();
    if (entity === undefined) return undefined;
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

  private async readState(): Promise<StateEntity | undefined> {
    try {
      return await this.client.getEntity<StateEntity>(partitionKey, 'state');
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async save(state: SweepState, options: { readonly withFilter: boolean }): Promise<void> {
    await this.ensureTable();
    const { bits } = state.filter;
    if (options.withFilter) {
      for (let offset = 0, row = 0; offset < bits.length; offset += chunkBytes * chunksPerRow, row++) {
        const entity: Record<string, unknown> = { partitionKey, rowKey: `filter-${row}` };
        for (let chunk = 0; chunk < chunksPerRow; chunk++) {
          const start = offset + chunk * chunkBytes;
          // A copy, not a view: the SDK encodes a view's whole underlying buffer.
          if (start < bits.length) entity[`c${chunk}`] = bits.slice(start, Math.min(bits.length, start + chunkBytes));
        }
        await this.client.upsertEntity(entity as { partitionKey: string; rowKey: string }, 'Replace');
      }
    }
    const { filter, ...rest } = state;
    // Without the filter, the state row keeps pointing at the filter saved last.
    const saved = options.withFilter ? undefined : await this.readState();
    const entity: StateEntity = {
      partitionKey,
      rowKey: 'state',
      stateJson: JSON.stringify(rest),
      filterBytes: saved?.filterBytes ?? bits.length,
      filterHashCount: saved?.filterHashCount ?? filter.hashCount,
      filterSeed: saved?.filterSeed ?? filter.seed,
    };
    await this.client.upsertEntity(entity, 'Replace');
  }
}
