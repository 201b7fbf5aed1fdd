import type { ProfileId } from '../domain/agentProfile';
import type { SettingValue } from '../domain/agentProfile';
import type { DeviceSelector } from '../domain/deviceSelector';

export type HubTier = 'F1' | 'S1' | 'S2' | 'S3';

/** How the app authenticates to IoT Hub. */
export type IotHubCredentialConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string; readonly hostName: string }
  | { readonly kind: 'managedIdentity'; readonly hostName: string; readonly clientId?: string };

/** Where the product tables live. */
export type StorageConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'managedIdentity'; readonly accountName: string; readonly clientId?: string };

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
  readonly agentProfile: ProfileId;
  readonly defaultBaseline: {
    readonly name: string;
    /** Settings for version 1 when the store has no version of this baseline yet. */
    readonly initialSettings: Readonly<Record<string, SettingValue>>;
    readonly cacheSeconds: number;
  };
  readonly deviceSelector: DeviceSelector;
  readonly storage: StorageConfig;
  readonly tables: { readonly audit: string; readonly baselines: string };
}
