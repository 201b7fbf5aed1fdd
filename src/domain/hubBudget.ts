/**
 * IoT Hub's throttles for a tier and unit count (iot-hub-devguide-quotas-throttling.md, DESIGN §6), per
 * second: the ceilings the product paces itself under, sharing them between its flows.
 */
export interface HubBudget {
  readonly identityOperationsPerSecond: number;
  readonly queriesPerSecond: number;
  readonly twinReadsPerSecond: number;
  readonly twinUpdatesPerSecond: number;
}

export type StandardTier = 'F1' | 'S1' | 'S2' | 'S3';

export function hubBudget(tier: StandardTier, units: number): HubBudget {
  const n = Math.max(1, units);
  switch (tier) {
    case 'S3':
      return { identityOperationsPerSecond: (5_000 / 60) * n, queriesPerSecond: (1_000 / 60) * n, twinReadsPerSecond: 500 * n, twinUpdatesPerSecond: 250 * n };
    case 'S2':
      return { identityOperationsPerSecond: (100 / 60) * n, queriesPerSecond: (20 / 60) * n, twinReadsPerSecond: Math.max(100, 10 * n), twinUpdatesPerSecond: Math.max(50, 5 * n) };
    default:
      // F1 and S1: twin reads and updates are per hub, not per unit.
      return { identityOperationsPerSecond: (100 / 60) * n, queriesPerSecond: (20 / 60) * n, twinReadsPerSecond: 100, twinUpdatesPerSecond: 50 };
  }
}

/** `percent` of each of the budget's rates: the part one flow of the product may use. */
export function shareOf(budget: HubBudget, percent: number): HubBudget {
  const factor = percent / 100;
  return {
    identityOperationsPerSecond: budget.identityOperationsPerSecond * factor,
    queriesPerSecond: budget.queriesPerSecond * factor,
    twinReadsPerSecond: budget.twinReadsPerSecond * factor,
    twinUpdatesPerSecond: budget.twinUpdatesPerSecond * factor,
  };
}
