import { complianceStates, type ComplianceState } from '../domain/compliance';
import { classifyModuleTwin, type ComplianceDependencies } from './deviceCompliance';
import type { TwinRegistry } from './ports/twinRegistry';

export interface FleetCompliance {
  /** When the pass over the fleet started: every twin counted was read at or after it. */
  readonly asOf: string;
  /** Security module twins read (and counted); devices without the module are not among them. */
  readonly twinsRead: number;
  readonly counts: Readonly<Record<ComplianceState, number>>;
}

export interface FleetComplianceOptions {
  /** Twins per hub query page. */
  readonly pageSize: number;
  /** How long a result is answered again without querying the hub (0: every call reads the fleet). */
  readonly cacheMs: number;
}

/**
 * Counts the fleet's security module twins by compliance state. One pass pages through the module's twins
 * with hub queries (each page a query against the hub's query budget: 1,000 twins per query at the most),
 * classifying each twin as it comes and keeping only the counts, so the fleet is never in memory. The
 * result is kept for `cacheMs`, and calls made while a pass runs share it, so repeated GETs cost no
 * queries. A failed pass is not kept: the next call starts afresh.
 */
export function fleetCompliance(
  deps: ComplianceDependencies & { readonly registry: Pick<TwinRegistry, 'listModuleTwins'> },
  options: FleetComplianceOptions,
): () => Promise<FleetCompliance> {
  let kept: { readonly result: FleetCompliance; readonly until: number } | undefined;
  let running: Promise<FleetCompliance> | undefined;

  const pass = async (): Promise<FleetCompliance> => {
    const asOf = deps.clock.now().toISOString();
    const counts = Object.fromEntries(complianceStates.map((state) => [state, 0])) as Record<ComplianceState, number>;
    let twinsRead = 0;
    let continuationToken: string | undefined;
    do {
      const page = await deps.registry.listModuleTwins(deps.profile.moduleId, {
        pageSize: options.pageSize,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      });
      for (const twin of page.twins) {
        const { verdict } = await classifyModuleTwin(deps, twin);
        counts[verdict.state] += 1;
      }
      twinsRead += page.twins.length;
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
    return { asOf, twinsRead, counts };
  };

  return async () => {
    if (kept !== undefined && deps.clock.now().getTime() < kept.until) return kept.result;
    running ??= pass()
      .then((result) => {
        kept = { result, until: deps.clock.now().getTime() + options.cacheMs };
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
