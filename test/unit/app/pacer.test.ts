import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/app/pacer';
import { FixedClock } from '../../support/fakes/fixedClock';

describe('Pacer', () => {
  it("lets a second's allowance through at once, then spaces calls at the rate (virtual time)", async () => {
    const clock = new FixedClock();
    const slept: number[] = [];
    const pacer = new Pacer(2, clock, async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    });
    const started = clock.now().getTime();
    for (let i = 0; i < 6; i++) await pacer.take();
    expect(clock.now().getTime() - started).toBe(2_000);
    expect(slept).toEqual([500, 500, 500, 500]);
  });

  it('paces rates below one a second', async () => {
    const clock = new FixedClock();
    const pacer = new Pacer(0.25, clock, async (ms) => clock.advance(ms));
    const started = clock.now().getTime();
    for (let i = 0; i < 3; i++) await pacer.take();
    expect(clock.now().getTime() - started).toBe(8_000);
  });
});
