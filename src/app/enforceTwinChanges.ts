import { isEchoOf, readTwinChangeHint, type TwinChangeHint, type TwinChangeNotice } from '../domain/twinChangeHint';
import { reconcileModuleTwin, type ReconcileDependencies, type ReconcileOutcome } from './reconcileModuleTwin';

/** What became of one notification of a batch. */
export type NoticeOutcome =
  /** Settled from the notification alone, without a hub call. */
  | 'other-twin'
  | 'reported-only'
  | 'unrelated-change'
  | 'echo'
  /** A later notification of the same twin in the batch decided for it. */
  | 'superseded'
  /** Its twin was reconciled (see the twin's result). */
  | 'reconciled';

export type TwinResult =
  | { readonly deviceId: string; readonly moduleId: string; readonly status: 'done'; readonly outcome: ReconcileOutcome }
  | { readonly deviceId: string; readonly moduleId: string; readonly status: 'failed'; readonly error: unknown };

export interface EnforcementReport {
  readonly notices: readonly NoticeOutcome[];
  readonly twins: readonly TwinResult[];
}

export interface EnforcementOptions {
  /** Twins reconciled at once. */
  readonly concurrency: number;
}

/**
 * Handles one batch of twin-change notifications, level-triggered: a notification only names a twin. Per
 * twin, the newest notification that may be drift decides (they are in the hub's order): the echo of the
 * product's own complete write means the twin is as assigned; anything else is reconciled once, through the
 * same use case as provisioning, whatever number of notifications the batch held for that twin. Everything
 * else is settled from the notification alone, costing no hub call.
 */
export async function enforceTwinChanges(
  deps: ReconcileDependencies,
  notices: readonly TwinChangeNotice[],
  options: EnforcementOptions,
): Promise<EnforcementReport> {
  const outcomes: NoticeOutcome[] = new Array(notices.length);
  const candidates = new Map<string, Array<{ index: number; notice: TwinChangeNotice; hint: Extract<TwinChangeHint, { kind: 'may-be-drift' }> }>>();
  notices.forEach((notice, index) => {
    const hint = readTwinChangeHint(deps.profile, notice);
    if (hint.kind !== 'may-be-drift') {
      outcomes[index] = hint.kind;
      return;
    }
    const key = `${notice.deviceId}\u0000${notice.moduleId ?? ''}`;
    const same = candidates.get(key);
    if (same === undefined) candidates.set(key, [{ index, notice, hint }]);
    else same.push({ index, notice, hint });
  });

  const toReconcile: TwinChangeNotice[] = [];
  for (const group of candidates.values()) {
    // The hub numbers twin versions: the highest is the newest, whatever order the batch arrived in.
    const ordered = [...group].sort((a, b) => (a.notice.version ?? -1) - (b.notice.version ?? -1) || a.index - b.index);
    const newest = ordered[ordered.length - 1] as (typeof ordered)[number];
    for (const earlier of ordered.slice(0, -1)) outcomes[earlier.index] = 'superseded';
    const written = newest.hint.written;
    const baseline = written === undefined ? undefined : await deps.baseline(written.assignment.name, written.assignment.version);
    if (written !== undefined && baseline !== undefined && baseline.profile === deps.profile.id && isEchoOf(deps.profile, written, baseline)) {
      outcomes[newest.index] = 'echo';
    } else {
      outcomes[newest.index] = 'reconciled';
      toReconcile.push(newest.notice);
    }
  }

  const twins: TwinResult[] = new Array(toReconcile.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < toReconcile.length) {
      const index = next++;
      const notice = toReconcile[index] as TwinChangeNotice;
      const twinId = { deviceId: notice.deviceId, moduleId: deps.profile.moduleId };
      const version = notice.version === undefined ? '' : ` to version ${notice.version}`;
      try {
        const outcome = await reconcileModuleTwin(deps, twinId, {
          correlationId: `twin-change:${notice.deviceId}/${deps.profile.moduleId}${notice.version === undefined ? '' : `@v${notice.version}`}`,
          description: `module twin changed${version} (${notice.opType} notification)`,
          assignAction: 'assigned',
        });
        twins[index] = { ...twinId, status: 'done', outcome };
      } catch (error) {
        twins[index] = { ...twinId, status: 'failed', error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, toReconcile.length)) }, worker));
  return { notices: outcomes, twins };
}
