// The identity registry store: device and module identity records, kept compact for 100k-device fleets.
//
// Memory: one DeviceRecord per device (fixed-shape class, so V8 stores it as a small struct), no per-device
// closures, symmetric keys derived on demand instead of stored (identity.ts), twins created lazily on first
// write, their documents shared with equal twins and their $metadata stored compactly (twin.ts).
// Order: `order` holds records by ascending `seq` (creation order); deletions leave tombstones that are
// compacted once they make up half the array, so the array stays sorted and query cursors can resume with a
// binary search (O(log n)) instead of re-walking the fleet.
import type { StoredAuthentication } from './identity';
import type { TwinState } from './twin';

export type DeviceStatus = 'enabled' | 'disabled';

export class ModuleRecord {
  twin: TwinState | undefined = undefined;

  constructor(
    readonly deviceId: string,
    readonly moduleId: string,
    readonly seq: number,
    readonly generation: number,
    public etagN: number,
    public auth: StoredAuthentication | undefined,
    public managedBy: string | null,
    readonly createdAt: number,
  ) {}
}

export class DeviceRecord {
  twin: TwinState | undefined = undefined;
  modules: ModuleRecord[] | undefined = undefined;
  deleted = false;

  constructor(
    readonly deviceId: string,
    readonly seq: number,
    readonly generation: number,
    public etagN: number,
    public status: DeviceStatus,
    public statusReason: string | null,
    public statusUpdatedAt: number,
    public iotEdge: boolean,
    public auth: StoredAuthentication | undefined,
    readonly createdAt: number,
  ) {}
}

export interface NewDevice {
  readonly deviceId: string;
  readonly status: DeviceStatus;
  readonly statusReason: string | null;
  readonly iotEdge: boolean;
  readonly auth: StoredAuthentication | undefined;
  readonly createdAt: number;
}

export interface NewModule {
  readonly moduleId: string;
  readonly auth: StoredAuthentication | undefined;
  readonly managedBy: string | null;
  readonly createdAt: number;
}

export class DeviceStore {
  private readonly byId = new Map<string, DeviceRecord>();
  private order: DeviceRecord[] = [];
  private tombstones = 0;
  private nextSeq = 1;
  private nextModuleSeq = 1;
  private moduleTotal = 0;
  // Identity etags are base64 of a hub-wide decimal sequence (real ones look like "NTgwMDg5MDAz" =
  // base64("580089003")); generation IDs are 18-digit decimals. Both only need to be unique and to change.
  private etagSequence = 100_000_000 + Math.floor(Math.random() * 800_000_000);
  private generationSequence = 1 + Math.floor(Math.random() * 1_000_000);

  get size(): number {
    return this.byId.size;
  }

  get moduleCount(): number {
    return this.moduleTotal;
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.byId.get(deviceId);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  values(): IterableIterator<DeviceRecord> {
    return this.byId.values();
  }

  nextIdentityEtag(): number {
    this.etagSequence += 1;
    return this.etagSequence;
  }

  addDevice(spec: NewDevice): DeviceRecord {
    const record = new DeviceRecord(
      spec.deviceId,
      this.nextSeq++,
      this.generationSequence++,
      this.nextIdentityEtag(),
      spec.status,
      spec.statusReason,
      0,
      spec.iotEdge,
      spec.auth,
      spec.createdAt,
    );
    this.byId.set(record.deviceId, record);
    this.order.push(record);
    return record;
  }

  /**
   * Puts back a device saved by persistence.ts, with its own seq, generation and ETags (and its modules);
   * the hub's sequences move past them so later identities stay unique. Devices come back in seq order.
   */
  restoreDevice(record: DeviceRecord): void {
    const last = this.order[this.order.length - 1];
    if (this.byId.has(record.deviceId) || (last !== undefined && last.seq >= record.seq)) {
      throw new Error(`Device '${record.deviceId}' cannot be restored: it exists already or comes out of creation order.`);
    }
    this.byId.set(record.deviceId, record);
    this.order.push(record);
    this.nextSeq = Math.max(this.nextSeq, record.seq + 1);
    this.etagSequence = Math.max(this.etagSequence, record.etagN);
    this.generationSequence = Math.max(this.generationSequence, record.generation + 1);
    for (const module of record.modules ?? []) {
      this.moduleTotal += 1;
      this.nextModuleSeq = Math.max(this.nextModuleSeq, module.seq + 1);
      this.etagSequence = Math.max(this.etagSequence, module.etagN);
      this.generationSequence = Math.max(this.generationSequence, module.generation + 1);
    }
  }

  removeDevice(record: DeviceRecord): void {
    if (record.deleted) return;
    record.deleted = true;
    this.moduleTotal -= record.modules?.length ?? 0;
    this.byId.delete(record.deviceId);
    this.tombstones += 1;
    if (this.tombstones > 1024 && this.tombstones * 2 > this.order.length) {
      this.order = this.order.filter((candidate) => !candidate.deleted);
      this.tombstones = 0;
    }
  }

  findModule(device: DeviceRecord, moduleId: string): ModuleRecord | undefined {
    return device.modules?.find((module) => module.moduleId === moduleId);
  }

  addModule(device: DeviceRecord, spec: NewModule): ModuleRecord {
    const module = new ModuleRecord(
      device.deviceId,
      spec.moduleId,
      this.nextModuleSeq++,
      this.generationSequence++,
      this.nextIdentityEtag(),
      spec.auth,
      spec.managedBy,
      spec.createdAt,
    );
    // `[module]` allocates room for one; `[]` then push would reserve 17 slots, for a device's usual single module.
    if (device.modules === undefined) device.modules = [module];
    else device.modules.push(module);
    this.moduleTotal += 1;
    return module;
  }

  removeModule(device: DeviceRecord, module: ModuleRecord): void {
    const modules = device.modules;
    if (modules === undefined) return;
    const index = modules.indexOf(module);
    if (index < 0) return;
    modules.splice(index, 1);
    this.moduleTotal -= 1;
    if (modules.length === 0) device.modules = undefined;
  }

  /**
   * Live devices with seq > afterSeq, in creation order. Finding the start is a binary search over the
   * seq-sorted `order` array, so resuming a paged query costs O(log n), not O(position).
   */
  *devicesAfter(afterSeq: number): Generator<DeviceRecord> {
    const order = this.order;
    let low = 0;
    let high = order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (order[mid]!.seq <= afterSeq) low = mid + 1;
      else high = mid;
    }
    // Compaction builds a new array rather than shifting this one, so a walk is never disturbed by deletions.
    for (let index = low; index < order.length; index++) {
      const record = order[index]!;
      if (!record.deleted) yield record;
    }
  }
}
