// The hub's clock and the two timestamp formats IoT Hub writes.

/** Injectable time source (epoch milliseconds). Drives throttle buckets and every timestamp the hub writes. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

let lastTimestamp = { epochMs: Number.NaN, text: '' };

/**
 * IoT Hub writes .NET round-trip timestamps with seven fractional digits ("2022-06-01T22:27:50.2612586Z",
 * see the twin `$metadata` and event samples); JavaScript has milliseconds, so the last four digits are zero.
 */
export function hubTimestamp(epochMs: number): string {
  // A twin's $metadata repeats the same few stamps on every node, and rendering it is the bulk of reading a
  // twin; remembering the last conversion skips most of the Date/regex work.
  if (epochMs !== lastTimestamp.epochMs) lastTimestamp = { epochMs, text: new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z') };
  return lastTimestamp.text;
}

/** The "never" value the registry reports for connection/activity times it has no data for. */
export const NEVER_UTC = '0001-01-01T00:00:00Z';

/** `MM/dd/yyyy HH:mm:ss` (UTC), the timestamp inside error bodies' "Tracking ID:...-TimeStamp:..." text. */
export function trackingTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
