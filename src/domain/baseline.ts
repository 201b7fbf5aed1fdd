import type { ProfileId, SettingValue } from './agentProfile';

/**
 * A named, versioned agent configuration (DESIGN §3). Immutable once stored: a new configuration is a new
 * version, so a device's assignment `{ name, version }` always means the same settings.
 */
export interface Baseline {
  name: string;
  version: number;
  profile: ProfileId;
  /** Setting name → value; a setting left out runs at the agent's default (the product writes `null` for it). */
  settings: Readonly<Record<string, SettingValue>>;
  /** ISO-8601 timestamp with offset, supplied by the caller (the domain has no clock). */
  createdAt: string;
  createdBy: string;
  description: string;
}

/**
 * Baseline names: 1–63 lower-case letters, digits and hyphens, starting with a letter or digit (a DNS
 * label's alphabet). The name travels in twin tags, in IoT Hub query literals
 * (`tags.securityBaseline.name = '…'`), in Table Storage keys and in HTTP API paths; this alphabet needs no
 * quoting or escaping in any of them, and lower case alone avoids two baselines differing only in case.
 */
export const BASELINE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isBaselineName(value: unknown): value is string {
  return typeof value === 'string' && BASELINE_NAME_PATTERN.test(value);
}

/** Versions are whole numbers from 1, exact in JSON, twin tags and table properties alike. */
export function isBaselineVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
