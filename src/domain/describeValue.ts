/** Longest rendering of a value inside a message; a 4 KB string would drown the sentence around it. */
const MAX_LENGTH = 80;

/**
 * Renders a value for an operator-facing message: numbers and booleans bare, strings quoted (so case and
 * stray spaces are visible), anything else as JSON, shortened when long.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
