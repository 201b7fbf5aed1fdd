import type { Baseline } from '../../domain/baseline';

/** Immutable baseline versions, and which version of each name new devices get. */
export interface BaselineStore {
  get(name: string, version: number): Promise<Baseline | undefined>;
  /** The version marked default for `name`, if any. */
  getDefault(name: string): Promise<Baseline | undefined>;
  /** Stores a new version; an existing version of the same name and number is never overwritten. */
  create(baseline: Baseline): Promise<'created' | 'exists'>;
  /** Marks a stored version as the default, only if the default is still `expectedCurrent` (undefined = none yet). */
  setDefault(name: string, version: number, expectedCurrent: number | undefined): Promise<'set' | 'conflict'>;
}
