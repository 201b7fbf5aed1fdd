/**
 * One finding of a validation: which value (path), which rule it breaks, and a sentence a fleet operator
 * can act on. Every validator in the domain reports through this shape so the HTTP API, the audit stream
 * and the logs show the same words.
 */
export interface ValidationIssue {
  /** Dotted path of the offending value, e.g. `settings.maxMessageSizeInBytes`. */
  path: string;
  /** Stable identifier of the rule, e.g. `duration-fraction`; safe to match on in code and dashboards. */
  rule: string;
  /** Names the setting, its value and the rule, and says what the agent or IoT Hub would do. */
  message: string;
  /** `error`: the agent or IoT Hub would reject or misbehave. `warning`: accepted, but not optimal. */
  severity: 'error' | 'warning';
}

export type Severity = ValidationIssue['severity'];

/**
 * The outcome of validating untrusted input. On failure `issues` holds every error *and* warning found,
 * so an operator fixes everything in one round trip instead of one problem per attempt.
 */
export type Validated<T> = { ok: true; value: T; warnings: ValidationIssue[] } | { ok: false; issues: ValidationIssue[] };

export function errorIssue(path: string, rule: string, message: string): ValidationIssue {
  return { path, rule, message, severity: 'error' };
}

export function warningIssue(path: string, rule: string, message: string): ValidationIssue {
  return { path, rule, message, severity: 'warning' };
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** Folds collected issues into a {@link Validated}: valid exactly when no issue is an error. */
export function toValidated<T>(value: T, issues: ValidationIssue[]): Validated<T> {
  return hasErrors(issues) ? { ok: false, issues } : { ok: true, value, warnings: issues };
}

/** Joins path-prefixed issues into one line, for error messages and logs. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.severity} at ${issue.path || '(root)'}: ${issue.message}`).join('; ');
}
