import { RestError, type TableClient } from '@azure/data-tables';
import type { BaselineStore } from '../../app/ports/baselineStore';
import type { Baseline } from '../../domain/baseline';
import { PermanentError } from '../../domain/productError';
import { validateBaseline } from '../../domain/validateBaseline';
import { ensureTableOnce } from './createTableClient';
import { toTableKey } from './tableKeys';

interface BaselineEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  version: number;
  profile: string;
  settingsJson: string;
  createdAt: string;
  createdBy: string;
  description: string;
}

interface DefaultPointerEntity {
  partitionKey: string;
  rowKey: typeof defaultRowKey;
  version: number;
}

const defaultRowKey = 'default';
/** Zero-padded so versions sort numerically within the baseline's partition. */
const versionRowKey = (version: number) => `v${String(version).padStart(10, '0')}`;

/**
 * Baselines in Azure Table Storage: one partition per baseline name holding its immutable versions and a
 * `default` row pointing at the version new devices get. Versions are only ever inserted (409 = exists);
 * the pointer moves with ETag-conditional updates so concurrent promotions cannot both win.
 */
export class TableBaselineStore implements BaselineStore {
  private readonly ensureTable: () => Promise<void>;

  constructor(private readonly client: TableClient) {
    this.ensureTable = ensureTableOnce(client);
  }

  async get(name: string, version: number): Promise<Baseline | undefined> {
    await this.ensureTable();
    const entity = await this.read<BaselineEntity>(toTableKey(name), versionRowKey(version));
    return entity === undefined ? undefined : toBaseline(entity.value);
  }

  async getDefault(name: string): Promise<Baseline | undefined> {
    await this.ensureTable();
    const pointer = await this.read<DefaultPointerEntity>(toTableKey(name), defaultRowKey);
    return pointer === undefined ? undefined : this.get(name, pointer.value.version);
  }

  async create(baseline: Baseline): Promise<'created' | 'exists'> {
    await this.ensureTable();
    const entity: BaselineEntity = {
      partitionKey: toTableKey(baseline.name),
      rowKey: versionRowKey(baseline.version),
      name: baseline.name,
      version: baseline.version,
      profile: baseline.profile,
      settingsJson: JSON.stringify(baseline.settings),
      createdAt: baseline.createdAt,
      createdBy: baseline.createdBy,
      description: baseline.description,
    };
    try {
      await this.client.createEntity(entity);
      return 'created';
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) return 'exists';
      throw error;
    }
  }

  async setDefault(name: string, version: number, expectedCurrent: number | undefined): Promise<'set' | 'conflict'> {
    await this.ensureTable();
    const partitionKey = toTableKey(name);
    try {
      if (expectedCurrent === undefined) {
        await this.client.createEntity<DefaultPointerEntity>({ partitionKey, rowKey: defaultRowKey, version });
        return 'set';
      }
      const current = await this.read<DefaultPointerEntity>(partitionKey, defaultRowKey);
      if (current === undefined || current.value.version !== expectedCurrent) return 'conflict';
      await this.client.updateEntity<DefaultPointerEntity>({ partitionKey, rowKey: defaultRowKey, version }, 'Replace', { etag: current.etag });
      return 'set';
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) return 'conflict';
      throw error;
    }
  }

  private async read<T extends object>(partitionKey: string, rowKey: string): Promise<{ value: T; etag: string } | undefined> {
    try {
      const entity = await this.client.getEntity<T>(partitionKey, rowKey);
      return { value: entity as unknown as T, etag: entity.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }
}

/** Stored rows are validated on the way out too: a hand-edited row must not reach a twin unchecked. */
function toBaseline(entity: BaselineEntity): Baseline {
  const result = validateBaseline({
    name: entity.name,
    version: entity.version,
    profile: entity.profile,
    settings: JSON.parse(entity.settingsJson) as unknown,
    createdAt: entity.createdAt,
    createdBy: entity.createdBy,
    description: entity.description,
  });
  if (!result.ok) {
    throw new PermanentError('InvalidStoredBaseline', `stored baseline ${entity.name} v${entity.version} is invalid: ${result.issues.map((issue) => issue.message).join('; ')}`);
  }
  return result.value;
}
