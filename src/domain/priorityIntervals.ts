/**
 * The micro agent's `CollectorsCore_PriorityIntervals`: `"<High>,<Medium>,<Low>"` in minutes, e.g. the
 * default `"30,120,1440"`. The documentation says all three values are required and recommends each to be a
 * multiple of the one above it, so that sending rounds coincide and the device wakes up less often.
 */
export interface PriorityIntervals {
  high: number;
  medium: number;
  low: number;
}

export type ParsedPriorityIntervals =
  | { ok: true; intervals: PriorityIntervals; multiplesOfEachOther: boolean }
  | { ok: false; reason: string };

/**
 * Exactly three comma-separated whole numbers, nothing else: the documented syntax has no spaces, units or
 * signs, and the agent's parser for anything looser is undocumented, so the product does not write it.
 */
const SYNTAX = /^(\d+),(\d+),(\d+)$/;

export function parsePriorityIntervals(text: string): ParsedPriorityIntervals {
  const match = SYNTAX.exec(text);
  if (match === null) {
    return { ok: false, reason: 'must be three whole numbers of minutes, "<High>,<Medium>,<Low>", such as "30,120,1440"; all three are required' };
  }
  const [high, medium, low] = match.slice(1).map(Number) as [number, number, number];
  if (high === 0 || medium === 0 || low === 0) {
    return { ok: false, reason: 'must contain three positive numbers of minutes: an interval of 0 is not a sending frequency' };
  }
  return { ok: true, intervals: { high, medium, low }, multiplesOfEachOther: medium % high === 0 && low % medium === 0 };
}
