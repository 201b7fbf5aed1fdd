import { hasPassed, type Deadline } from './deadline';
import type { Clock } from './ports/clock';
import type { DeviceCreatedNotice, ProvisionOutcome } from './provisionSecurityModule';

/** What became of one device of a delivery. */
export type DeliveryItemResult =
  | { readonly notice: DeviceCreatedNotice; readonly status: 'done'; readonly outcome: ProvisionOutcome }
  /** Event Grid re-sent an event this worker had already finished: skipped, nothing called. */
  | { readonly notice: DeviceCreatedNotice; readonly status: 'already-done' }
  | { readonly notice: DeviceCreatedNotice; readonly status: 'failed'; readonly error: unknown }
  /** The delivery's deadline came before this device's turn: not started; the re-sent delivery does it. */
  | { readonly notice: DeviceCreatedNotice; readonly status: 'cut-off' };

export interface ProvisionDeliveryOptions {
  readonly deadline: Deadline;
  /** Devices handled at once: enough to overlap hub round trips, few enough not to burst the throttle. */
  readonly concurrency: number;
}

export interface ProvisionDeliveryDependencies {
  /** Provisions one device, with every hub and storage call bounded by `deadline`. */
  readonly provision: (notice: DeviceCreatedNotice, deadline: Deadline) => Promise<ProvisionOutcome>;
  readonly clock: Clock;
  /** Event ids this worker finished (any outcome): a re-sent delivery skips them and resumes where it stopped. */
  readonly completed: CompletedEvents;
}

/**
 * Handles the DeviceCreated events of one Event Grid delivery within the delivery's deadline: devices in
 * parallel up to `concurrency`, each device once however many of its events the payload holds. Work the
 * deadline cuts off is reported, not started, so the trigger can fail the delivery in time and Event Grid
 * re-sends it; what finished is remembered, so the re-sent delivery goes on from there.
 */
export async function provisionDelivery(
  deps: ProvisionDeliveryDependencies,
  notices: readonly DeviceCreatedNotice[],
  options: ProvisionDeliveryOptions,
): Promise<DeliveryItemResult[]> {
  const byDevice = new Map<string, DeviceCreatedNotice[]>();
  for (const notice of notices) {
    const same = byDevice.get(notice.deviceId);
    if (same === undefined) byDevice.set(notice.deviceId, [notice]);
    else same.push(notice);
  }
  const groups = [...byDevice.values()];
  const results: DeliveryItemResult[][] = new Array(groups.length);

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const index = next++;
      const group = groups[index] as DeviceCreatedNotice[];
      results[index] = await handleDevice(deps, group, options.deadline);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, groups.length)) }, worker));
  return results.flat();
}

async function handleDevice(deps: ProvisionDeliveryDependencies, group: readonly DeviceCreatedNotice[], deadline: Deadline): Promise<DeliveryItemResult[]> {
  const pending = group.filter((notice) => !deps.completed.has(notice.eventId));
  const skipped = group.filter((notice) => deps.completed.has(notice.eventId)).map((notice): DeliveryItemResult => ({ notice, status: 'already-done' }));
  const [first] = pending;
  if (first === undefined) return skipped;
  if (hasPassed(deadline, deps.clock)) return [...skipped, ...pending.map((notice): DeliveryItemResult => ({ notice, status: 'cut-off' }))];
  try {
    const outcome = await deps.provision(first, deadline);
    for (const notice of pending) deps.completed.add(notice.eventId);
    // Later events for the same device in this payload are duplicates of the first: the same outcome.
    return [...skipped, ...pending.map((notice): DeliveryItemResult => ({ notice, status: 'done', outcome }))];
  } catch (error) {
    return [...skipped, ...pending.map((notice): DeliveryItemResult => ({ notice, status: 'failed', error }))];
  }
}

/**
 * A bounded memory of finished event ids (oldest forgotten first). Forgetting is safe: provisioning is
 * idempotent, so a forgotten event that comes again is simply done again.
 */
export class CompletedEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }

  add(eventId: string): void {
    if (this.ids.has(eventId)) return;
    this.ids.add(eventId);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order: the first value is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }
}
