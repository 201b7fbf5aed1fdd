/**
 * What the use cases need from IoT Hub's identity registry and twins. The iothub adapter implements it
 * over azure-iothub's Registry; transient failures (429, 5xx, timeouts) are retried inside the adapter
 * within its time budget and the trigger's deadline, so callers only see expected outcomes or a ProductError.
 */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly isEdgeDevice: boolean;
}

export interface ModuleTwin {
  readonly deviceId: string;
  readonly moduleId: string;
  readonly etag: string;
  readonly version: number;
  readonly tags: Readonly<Record<string, unknown>>;
  readonly desired: Readonly<Record<string, unknown>>;
  readonly reported: Readonly<Record<string, unknown>>;
}

export interface ModuleTwinPatch {
  readonly tags?: Readonly<Record<string, unknown>>;
  readonly properties?: { readonly desired?: Readonly<Record<string, unknown>> };
}

export type CreateModuleOutcome =
  /**
   * A new module identity: its twin is untouched, and `freshTwinEtag` is the ETag that twin has until
   * anyone writes to it, so the first PATCH can be conditional without reading the twin first.
   */
  | { readonly kind: 'created'; readonly freshTwinEtag: string }
  | { readonly kind: 'exists' }
  | { readonly kind: 'device-not-found' };

export type PatchModuleTwinOutcome =
  | { readonly kind: 'patched'; readonly twin: ModuleTwin }
  /** The If-Match ETag no longer matches: someone changed the twin since it was read. */
  | { readonly kind: 'etag-mismatch' }
  | { readonly kind: 'not-found' };

/** One page of the device listing; `continuationToken` is absent on the last page. */
export interface DevicePage {
  readonly devices: readonly DeviceIdentity[];
  readonly continuationToken?: string;
}

/** One page of a fleet-wide listing; `continuationToken` is absent on the last page. */
export interface ModuleTwinPage {
  readonly twins: readonly ModuleTwin[];
  readonly continuationToken?: string;
}

export interface TwinRegistry {
  /**
   * What the device twin says of the device; undefined when the device does not exist (any more). A twin
   * read: it spends the hub's twin-read budget, never the identity operations that module creation needs.
   */
  getDevice(deviceId: string): Promise<DeviceIdentity | undefined>;
  /** Creates the module identity; an existing one is reported, not replaced (its keys stay valid). */
  createModule(deviceId: string, moduleId: string): Promise<CreateModuleOutcome>;
  /** undefined when the device or the module does not exist. */
  getModuleTwin(deviceId: string, moduleId: string): Promise<ModuleTwin | undefined>;
  /** PATCH conditioned on `etag` (never '*': every write we make is based on what we read). */
  patchModuleTwin(deviceId: string, moduleId: string, patch: ModuleTwinPatch, etag: string): Promise<PatchModuleTwinOutcome>;
  /**
   * One page of every twin of module `moduleId` across the hub (an IoT Hub query: eventually consistent,
   * for sweeps; read a twin by ID before writing to it). Pass the previous page's token to continue.
   */
  listModuleTwins(moduleId: string, options: { readonly pageSize: number; readonly continuationToken?: string }): Promise<ModuleTwinPage>;
  /** One page of every device of the hub (an IoT Hub query over device twins). */
  listDevices(options: { readonly pageSize: number; readonly continuationToken?: string }): Promise<DevicePage>;
  /** How many device identities the hub holds (the registry's statistics), to size a sweep. */
  countDevices(): Promise<number>;
}
