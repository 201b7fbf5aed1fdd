import type { Severity } from './validationIssue';

/**
 * How one kind of security agent keeps its configuration in its module twin (DESIGN §2). A profile is plain
 * data (no functions) so that it can be serialised, shown by the API, and a user-defined profile can be
 * added later without code changes: every behaviour below is driven by these fields.
 */

export type ProfileId = 'asc-classic' | 'defender-micro-agent';

/** Setting values are JSON scalars: both agents read scalars only. */
export type SettingValue = string | number | boolean;

interface SettingSpecBase {
  /** What the setting does, in the agent documentation's words; shown to operators. */
  readonly description: string;
}

/** ISO-8601 duration string, checked against the schema and what the agents parse (see agentDuration). */
export interface DurationSettingSpec extends SettingSpecBase {
  readonly type: 'duration';
  /** `null`: the agent has no documented default (the setting is left out unless a baseline sets it). */
  readonly default: string | null;
}

export interface IntegerSettingSpec extends SettingSpecBase {
  readonly type: 'integer';
  readonly default: number | null;
  readonly min?: number;
  readonly max?: number;
  /** Why the bounds exist; appended to the message when a value falls outside them. */
  readonly rangeReason?: string;
  /** A value that is not a multiple of `factor` is accepted with a warning carrying `reason`. */
  readonly recommendedMultipleOf?: { readonly factor: number; readonly reason: string };
}

export interface BooleanSettingSpec extends SettingSpecBase {
  readonly type: 'boolean';
  readonly default: boolean | null;
}

/**
 * One of a fixed set of values, compared exactly (case-sensitive): agents may accept other spellings and
 * then report a normalised one, but the product writes the canonical spelling so that desired
 * configurations compare equal across the fleet.
 */
export interface EnumSettingSpec extends SettingSpecBase {
  readonly type: 'enum';
  readonly values: readonly (string | number)[];
  readonly default: string | number | null;
}

export interface StringSettingSpec extends SettingSpecBase {
  readonly type: 'string';
  readonly default: string | null;
}

/** A comma-separated list held in one string, e.g. `"eth0,eth1"`. */
export interface ListSettingSpec extends SettingSpecBase {
  readonly type: 'list';
  readonly default: string | null;
}

/** The micro agent's `"<High>,<Medium>,<Low>"` minutes string (see priorityIntervals). */
export interface PriorityIntervalsSettingSpec extends SettingSpecBase {
  readonly type: 'priority-intervals';
  readonly default: string | null;
}

export type SettingSpec =
  | DurationSettingSpec
  | IntegerSettingSpec
  | BooleanSettingSpec
  | EnumSettingSpec
  | StringSettingSpec
  | ListSettingSpec
  | PriorityIntervalsSettingSpec;

/**
 * A rule between two settings of comparable type (integers, or durations compared by length): `setting`
 * must be at least / at most `other`. A setting a baseline leaves out is compared at its profile default,
 * because that is the value the agent will use.
 */
export interface OrderingRule {
  readonly kind: 'ordering';
  /** Stable rule identifier, reported as the issue's `rule`. */
  readonly rule: string;
  readonly setting: string;
  readonly relation: 'at-least' | 'at-most';
  readonly other: string;
  readonly severity: Severity;
  /** What the agent does when the rule is broken, in operator language. */
  readonly consequence: string;
}

/** A union so that further declarative rule kinds can join without changing existing profiles. */
export type CrossFieldRule = OrderingRule;

/**
 * Where a profile's configuration lives in `properties.desired`:
 * - `wrapped-object`: inside one object under `objectKey`, each value wrapped as `{ "value": x }` (asc-classic);
 * - `flat`: plain values at the root of `desired` (defender-micro-agent).
 */
export type ConfigurationPlacement = { kind: 'wrapped-object'; objectKey: string } | { kind: 'flat' };

export interface AgentProfile {
  id: ProfileId;
  /** Module identity the agent authenticates as; the security module twin is this module's twin. */
  moduleId: string;
  displayName: string;
  placement: ConfigurationPlacement;
  settings: Readonly<Record<string, SettingSpec>>;
  crossFieldRules: readonly CrossFieldRule[];
}
