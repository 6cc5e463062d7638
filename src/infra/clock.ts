/** Time is injected everywhere: rules and use cases never read the system clock themselves. */
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
