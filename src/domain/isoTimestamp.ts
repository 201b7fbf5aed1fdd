/**
 * An ISO-8601 / RFC 3339 date-time with seconds and an explicit offset, e.g. `2024-05-01T12:00:00Z` or
 * `2022-06-01T22:27:50.2612586Z` (IoT Hub writes seven fraction digits). The offset is required because a
 * timestamp without one means a different instant on every machine that reads it.
 */
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when the value is such a timestamp *and* names a real calendar instant: the pattern alone would let
 * `2023-02-30T25:61:00Z` through, and `Date.parse` silently rolls such values over into the next month.
 */
export function isIsoTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_TIMESTAMP.exec(value);
  if (match === null) return false;
  // Eight groups, so eight entries; the offset groups are unmatched (undefined) for a `Z` suffix.
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = match
    .slice(1)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number, number, number];
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}
