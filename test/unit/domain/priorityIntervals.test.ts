import { describe, expect, it } from 'vitest';
import { parsePriorityIntervals } from '../../../src/domain/priorityIntervals';

describe('parsePriorityIntervals', () => {
  it.each([
    { text: '30,120,1440', multiples: true },
    { text: '60,120,480', multiples: true },
    { text: '1,1,1', multiples: true },
    { text: '30,100,1440', multiples: false },
    { text: '30,120,1000', multiples: false },
  ])('reads $text (multiples of each other: $multiples)', ({ text, multiples }) => {
    const [high, medium, low] = text.split(',').map(Number);
    expect(parsePriorityIntervals(text)).toEqual({ ok: true, intervals: { high, medium, low }, multiplesOfEachOther: multiples });
  });

  it.each(['30,120', '30,120,1440,2880', '30, 120, 1440', '30,120,', '', '30;120;1440', '-30,120,1440', '30,1.5,1440', 'a,b,c'])(
    'rejects %j: three whole numbers are required',
    (text) => {
      expect(parsePriorityIntervals(text)).toEqual({ ok: false, reason: expect.stringContaining('all three are required') });
    },
  );

  it.each(['0,120,1440', '30,0,1440', '30,120,0'])('rejects %j: intervals must be positive', (text) => {
    expect(parsePriorityIntervals(text)).toEqual({ ok: false, reason: expect.stringContaining('positive') });
  });
});
