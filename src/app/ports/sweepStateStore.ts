/** Where the sweep is, kept between timer runs so a sweep of a large fleet spans as many runs as it needs. */
export interface SweepState {
  /** The sweep's start time (ISO-8601), which also names it. */
  readonly sweepId: string;
  /** `twins`: checking every security module twin; `devices`: finding selected devices without one. */
  readonly phase: 'twins' | 'devices' | 'done';
  /** Where the current phase's query continues; absent at a phase's start. */
  readonly continuationToken?: string;
  readonly finishedAt?: string;
  /** Counts by outcome since the sweep started, and query pages read. */
  readonly counts: Readonly<Record<string, number>>;
  /** The devices seen with the module in the `twins` phase (a DeviceIdFilter's parts). */
  readonly filter: { readonly bits: Uint8Array; readonly hashCount: number; readonly seed: number };
}

export interface SweepStateStore {
  load(): Promise<SweepState | undefined>;
  /** Saves the state; `withFilter: false` keeps the filter saved last (it does not change in the `devices` phase). */
  save(state: SweepState, options: { readonly withFilter: boolean }): Promise<void>;
}
