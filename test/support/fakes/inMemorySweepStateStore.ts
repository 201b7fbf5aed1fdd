import type { SweepState, SweepStateStore } from '../../../src/app/ports/sweepStateStore';

/** SweepStateStore fake: keeps the last saved state, and the filter only when saved with it, as the table does. */
export class InMemorySweepStateStore implements SweepStateStore {
  private state: SweepState | undefined;
  private filter: SweepState['filter'] | undefined;
  saves = 0;

  async load(): Promise<SweepState | undefined> {
    if (this.state === undefined || this.filter === undefined) return undefined;
    return { ...structuredClone(this.state), filter: { ...this.filter, bits: this.filter.bits.slice() } };
  }

  async save(state: SweepState, options: { readonly withFilter: boolean }): Promise<void> {
    this.saves++;
    if (options.withFilter || this.filter === undefined) this.filter = { ...state.filter, bits: state.filter.bits.slice() };
    const { filter: _filter, ...rest } = state;
    this.state = structuredClone({ ...rest, filter: this.filter });
  }
}
