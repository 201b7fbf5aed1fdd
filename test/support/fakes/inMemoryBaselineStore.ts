import type { BaselineStore } from '../../../src/app/ports/baselineStore';
import type { Baseline } from '../../../src/domain/baseline';

/** BaselineStore fake with the table adapter's rules: versions insert-only, default moved conditionally. */
export class InMemoryBaselineStore implements BaselineStore {
  readonly versions = new Map<string, Baseline>();
  readonly defaults = new Map<string, number>();
  reads = 0;

  async get(name: string, version: number): Promise<Baseline | undefined> {
    this.reads += 1;
    const baseline = this.versions.get(`${name}@${version}`);
    return baseline === undefined ? undefined : structuredClone(baseline);
  }

  async getDefault(name: string): Promise<Baseline | undefined> {
    const version = this.defaults.get(name);
    return version === undefined ? (this.reads++, undefined) : this.get(name, version);
  }

  async create(baseline: Baseline): Promise<'created' | 'exists'> {
    const key = `${baseline.name}@${baseline.version}`;
    if (this.versions.has(key)) return 'exists';
    this.versions.set(key, structuredClone(baseline));
    return 'created';
  }

  async setDefault(name: string, version: number, expectedCurrent: number | undefined): Promise<'set' | 'conflict'> {
    if (this.defaults.get(name) !== expectedCurrent) return 'conflict';
    this.defaults.set(name, version);
    return 'set';
  }
}
