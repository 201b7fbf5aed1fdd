// The hub's throttles (iot-hub-devguide-quotas-throttling.md; domain.md §5), as token buckets per category.
//
// | category                               | F1 / B1 / S1      | B2 / S2                    | B3 / S3          |
// |----------------------------------------|-------------------|----------------------------|------------------|
// | identity registry ops (CRUD, list)     | 100/min/unit      | 100/min/unit               | 5,000/min/unit   |
// | queries                                | 20/min/unit       | 20/min/unit                | 1,000/min/unit   |
// | twin reads (device and module)         | 100/s             | max(100/s, 10/s/unit)      | 500/s/unit       |
// | twin updates (device and module)       | 50/s              | max(50/s, 5/s/unit)        | 250/s/unit       |
// | configurations & edge deployments      | 20/min/unit       | 20/min/unit                | 20/min/unit      |
//
// Basic tiers have no twins and no queries (403010 OperationNotAvailableInCurrentTier); their identity
// throttles are the standard ones. The service "applies throttles in minute ranges" and shapes short bursts;
// a bucket holding one period's worth of tokens (a minute for per-minute limits, a second for per-second
// ones) refilled continuously is the model here: a burst up to the period's allowance passes, a sustained
// rate above the limit gets 429 ThrottlingException. Bulk registry requests cost one identity token per
// entry in the request: the throttling article ("Identity registry operations throttle") says the same limits
// apply to bulk registry update operations, e.g. an S1 hub with one unit accepts only two 50-device bulk
// requests per minute and rejects a third (import/export jobs are not counted this way).
import type { Clock } from './time';

export type HubTier = 'F1' | 'B1' | 'B2' | 'B3' | 'S1' | 'S2' | 'S3';
export type ThrottleCategory = 'identity' | 'query' | 'twinRead' | 'twinUpdate' | 'configuration';

export interface ThrottleConfig {
  readonly tier: HubTier;
  readonly units: number;
}

export interface ThrottleLimit {
  /** Operations allowed per period. */
  readonly amount: number;
  readonly periodMs: number;
}

export type ThrottleLimits = Readonly<Record<ThrottleCategory, ThrottleLimit | undefined>>;

const MINUTE = 60_000;
const SECOND = 1_000;

// Units a hub of each tier can have (F1 is a single free unit; S3/B3 go to 10, the others to 200).
const MAX_UNITS: Readonly<Record<HubTier, number>> = { F1: 1, B1: 200, B2: 200, B3: 10, S1: 200, S2: 200, S3: 10 };

export function isBasicTier(tier: HubTier): boolean {
  return tier.startsWith('B');
}

/** The documented limits for a tier and unit count; undefined where the tier has no such feature. */
export function throttleLimits(config: ThrottleConfig): ThrottleLimits {
  const { tier, units } = config;
  if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS[tier]) {
    throw new RangeError(`A ${tier} hub has 1 to ${MAX_UNITS[tier]} units, not ${units}`);
  }
  const large = tier === 'S3' || tier === 'B3';
  const identity = { amount: (large ? 5000 : 100) * units, periodMs: MINUTE };
  if (isBasicTier(tier)) return { identity, query: undefined, twinRead: undefined, twinUpdate: undefined, configuration: undefined };
  const query = { amount: (large ? 1000 : 20) * units, periodMs: MINUTE };
  // Configurations and edge deployments (CRUD): 0.33/s/unit (20/min/unit) on every tier that has them.
  const configuration = { amount: 20 * units, periodMs: MINUTE };
  if (tier === 'S3') {
    return { identity, query, configuration, twinRead: { amount: 500 * units, periodMs: SECOND }, twinUpdate: { amount: 250 * units, periodMs: SECOND } };
  }
  if (tier === 'S2') {
    return { identity, query, configuration, twinRead: { amount: Math.max(100, 10 * units), periodMs: SECOND }, twinUpdate: { amount: Math.max(50, 5 * units), periodMs: SECOND } };
  }
  return { identity, query, configuration, twinRead: { amount: 100, periodMs: SECOND }, twinUpdate: { amount: 50, periodMs: SECOND } };
}

class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly limit: ThrottleLimit,
    now: number,
  ) {
    this.tokens = limit.amount;
    this.refilledAt = now;
  }

  tryTake(cost: number, now: number): boolean {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.limit.amount, this.tokens + (elapsed * this.limit.amount) / this.limit.periodMs);
    this.refilledAt = now;
    if (this.tokens + 1e-9 < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

export type ThrottleVerdict = { readonly allowed: true } | { readonly allowed: false; readonly limit: ThrottleLimit };

/** Buckets for the configured tier; `false` turns throttling off (standard-tier features, no limits). */
export class ThrottleModel {
  private config: ThrottleConfig | false;
  private buckets = new Map<ThrottleCategory, TokenBucket>();

  constructor(
    config: ThrottleConfig | false,
    private readonly clock: Clock,
  ) {
    this.config = false;
    this.configure(config);
  }

  /** Replaces the model; buckets start full, as a freshly scaled hub would. */
  configure(config: ThrottleConfig | false): void {
    const buckets = new Map<ThrottleCategory, TokenBucket>();
    if (config !== false) {
      const now = this.clock.now();
      for (const [category, limit] of Object.entries(throttleLimits(config)) as [ThrottleCategory, ThrottleLimit | undefined][]) {
        if (limit !== undefined) buckets.set(category, new TokenBucket(limit, now));
      }
    }
    this.config = config;
    this.buckets = buckets;
  }

  current(): ThrottleConfig | false {
    return this.config;
  }

  /** Whether the tier offers twins and queries at all (Basic tiers don't). */
  supports(category: ThrottleCategory): boolean {
    return this.config === false || !isBasicTier(this.config.tier) || category === 'identity';
  }

  take(category: ThrottleCategory, cost: number): ThrottleVerdict {
    const bucket = this.buckets.get(category);
    if (bucket === undefined || bucket.tryTake(cost, this.clock.now())) return { allowed: true };
    return { allowed: false, limit: bucket.limit };
  }
}
