import type { ProfileId } from '../domain/agentProfile';
import type { SettingValue } from '../domain/agentProfile';
import type { DeviceSelector } from '../domain/deviceSelector';
import type { HttpAuthMode } from '../domain/httpAuthorization';

/** The tiers with device twins (the basic tiers have none), in the order IoT Hub lists them. */
export const hubTiers = ['F1', 'S1', 'S2', 'S3'] as const;
export type HubTier = (typeof hubTiers)[number];

/** How the app authenticates to IoT Hub. */
export type IotHubCredentialConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string; readonly hostName: string }
  | { readonly kind: 'managedIdentity'; readonly hostName: string; readonly clientId?: string };

/** Where the product tables live. */
export type StorageConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'managedIdentity'; readonly accountName: string; readonly clientId?: string };

/** The Event Hub of the security audit stream and how the app reaches it. */
export interface AuditStreamConfig {
  readonly eventHubName: string;
  readonly credential:
    | { readonly kind: 'connectionString'; readonly connectionString: string }
    | { readonly kind: 'managedIdentity'; readonly fullyQualifiedNamespace: string; readonly clientId?: string };
  readonly retryBudgetMs: number;
}

export interface Config {
  readonly iotHub: {
    readonly credential: IotHubCredentialConfig;
    /** Connect here instead of resolving the host name (lab, private-endpoint rigs). */
    readonly connectAddress?: { readonly host: string; readonly port: number };
    readonly caCertificatePath?: string;
    readonly tier: HubTier;
    readonly units: number;
    readonly retryBudgetMs: number;
  };
  readonly eventGrid: {
    /** Time from the arrival of an Event Grid delivery by which it is answered; what it cuts off fails the delivery so Event Grid re-sends it. */
    readonly deadlineMs: number;
    /** Events of one delivery handled at once. */
    readonly concurrency: number;
  };
  readonly enforcement: {
    /** Module twins reconciled at once for one batch of twin-change notifications. */
    readonly concurrency: number;
    /** When corrections of a twin back off (see contestedTwins). */
    readonly contest: { readonly maxCorrections: number; readonly windowMs: number; readonly backoffMs: number };
  };
  readonly sweep: {
    readonly intervalMs: number;
    readonly runMs: number;
    readonly budgetPercent: number;
    readonly pageSize: number;
  };
  readonly agentProfile: ProfileId;
  readonly defaultBaseline: {
    readonly name: string;
    /** Settings for version 1 when the store has no version of this baseline yet. */
    readonly initialSettings: Readonly<Record<string, SettingValue>>;
    readonly cacheSeconds: number;
  };
  readonly deviceSelector: DeviceSelector;
  readonly storage: StorageConfig;
  /** Absent when no audit stream is configured: audit records go to the audit table only. */
  readonly auditStream?: AuditStreamConfig;
  readonly tables: { readonly audit: string; readonly baselines: string; readonly sweep: string };
  readonly compliance: {
    /** How long a fleet count is answered again before the fleet is counted afresh. */
    readonly cacheSeconds: number;
  };
  readonly http: {
    /** Whether HTTP callers need App Service Authentication and an app role beyond the function key. */
    readonly authMode: HttpAuthMode;
  };
}
