import type { Baseline } from '../domain/baseline';
import type { BaselineStore } from './ports/baselineStore';

/**
 * Looks up stored baseline versions, keeping each one found: versions are immutable, so a worker never needs
 * to read one twice. The default baseline is made sure of first, so that on a fresh deployment version 1
 * exists before the first twin that names it is checked.
 */
export function baselineVersions(store: Pick<BaselineStore, 'get'>, defaultBaseline: () => Promise<Baseline>): (name: string, version: number) => Promise<Baseline | undefined> {
  const known = new Map<string, Baseline>();
  return async (name, version) => {
    const key = `${name}\u0000${version}`;
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    await defaultBaseline();
    const stored = await store.get(name, version);
    if (stored !== undefined) known.set(key, stored);
    return stored;
  };
}
