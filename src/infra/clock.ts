/** Time is injected everywhere: rules and use cases never read the system clock themselves. */
import type { Config } from './config.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand; no test sleeps. */
export class ManualClock implements Clock {
  constructor(private current: Date = new Date('2026-05-04T08:00:00Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(d: Date): void {
    this.current = new Date(d.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * The demo clock (DEMO_NOW, development only): another clock shifted by an offset, so time runs on from
 * the instant chosen. The operator moves it from /dev/horloge to show every phase of a campaign. The
 * offset lives in this process (a demo runs one process); a restart goes back to DEMO_NOW.
 */
export class ShiftableClock implements Clock {
  private offsetMs: number;
  /** the instant the clock started at (DEMO_NOW) */
  readonly initial: Date;
  constructor(
    private readonly base: Clock,
    start: Date,
  ) {
    this.initial = new Date(start.getTime());
    this.offsetMs = start.getTime() - base.now().getTime();
  }
  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }
  /** from now on, the clock reads `d` and runs on */
  set(d: Date): void {
    if (Number.isNaN(d.getTime())) throw new RangeError('ShiftableClock.set: invalid date');
    this.offsetMs = d.getTime() - this.base.now().getTime();
  }
  /** back to the instant it started at */
  reset(): void {
    this.set(this.initial);
  }
  /** back to the base clock's time (real time for the system clock) */
  real(): void {
    this.offsetMs = 0;
  }
  /** the base clock's time (real time for the system clock), whatever the shift */
  baseNow(): Date {
    return this.base.now();
  }
  /** how far ahead (positive) or behind (negative) of the base clock, in milliseconds */
  get shiftMs(): number {
    return this.offsetMs;
  }
}

/**
 * The time people's devices read — what a TOTP application computes its codes from: the clock's own
 * time, except for the demo clock, whose shift (DEMO_NOW, /dev/horloge) moves the campaign, not phones.
 */
export function deviceTime(clock: Clock): Date {
  return clock instanceof ShiftableClock ? clock.baseNow() : clock.now();
}

/**
 * The application's clock: the given one (tests) or the system's; with DEMO_NOW (development and
 * tests only, `config.demoNow`) a ShiftableClock over it, started at that instant.
 */
export function selectClock(config: Pick<Config, 'demoNow'>, given?: Clock): Clock {
  const base = given ?? systemClock;
  return config.demoNow ? new ShiftableClock(base, config.demoNow) : base;
}
