import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedAmounts, parsePercent, splitLargestRemainder } from './money.js';
import { formatEuros, formatEurosPlain, formatPercent } from '../shared/format.js';

describe('largest remainder split', () => {
  it('gives the cents left over to the largest remainders, earlier part first on ties', () => {
    expect(splitLargestRemainder(100n, [1, 1, 1])).toEqual([34n, 33n, 33n]);
    expect(splitLargestRemainder(1000n, [3333, 3333, 3334], 10_000)).toEqual([333n, 333n, 334n]);
  });
  it('splits only the allocated share when the weights do not cover the whole', () => {
    // 60 % of 10.01 € = 6.006 € → 6.00 €, split 50/50 of the whole
    expect(expectedAmounts(1001n, [3000, 3000])).toEqual([300n, 300n]);
  });
  it('always adds up to floor(total × sum / denominator) and no part moves by more than one cent', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.array(fc.integer({ min: 0, max: 2_500 }), { maxLength: 4 }), (total, bps) => {
        const parts = expectedAmounts(total, bps);
        const sum = bps.reduce((a, b) => a + b, 0);
        expect(parts.reduce((a, b) => a + b, 0n)).toBe((total * BigInt(sum)) / 10_000n);
        parts.forEach((p, i) => {
          const exactFloor = (total * BigInt(bps[i]!)) / 10_000n;
          expect(p === exactFloor || p === exactFloor + 1n).toBe(true);
        });
      }),
    );
  });
  it('refuses negative amounts and weights above the denominator', () => {
    expect(() => splitLargestRemainder(-1n, [1])).toThrow();
    expect(() => splitLargestRemainder(1n, [6000, 6000], 10_000)).toThrow();
  });
});

describe('French formats and input', () => {
  it('formats euros and percentages', () => {
    expect(formatEuros(123456789n)).toBe('1\u202f234\u202f567,89\u00a0€');
    expect(formatEuros(5n)).toBe('0,05\u00a0€');
    expect(formatPercent(1250)).toBe('12,5\u00a0%');
    expect(formatPercent(10_000)).toBe('100\u00a0%');
    expect(formatPercent(1205)).toBe('12,05\u00a0%');
  });
  it('parses percentages typed the French way, with clear messages', () => {
    expect(parsePercent('12,5')).toEqual({ ok: true, bp: 1250 });
    expect(parsePercent(' 12.25 % ')).toEqual({ ok: true, bp: 1225 });
    expect(parsePercent('100')).toEqual({ ok: true, bp: 10_000 });
    expect(parsePercent('-3')).toMatchObject({ ok: false, message: expect.stringContaining('négatif') });
    expect(parsePercent('12,345')).toMatchObject({ ok: false, message: expect.stringContaining('deux décimales') });
    expect(parsePercent('100,01')).toMatchObject({ ok: false, message: expect.stringContaining('100 %') });
    expect(parsePercent('abc')).toMatchObject({ ok: false });
    expect(parsePercent('0')).toMatchObject({ ok: false });
  });
});

describe('formatEurosPlain (CSV cells)', () => {
  it('writes euros with a decimal comma, no separator, no currency', () => {
    expect(formatEurosPlain(123456n)).toBe('1234,56');
    expect(formatEurosPlain(5n)).toBe('0,05');
    expect(formatEurosPlain(-1005n)).toBe('-10,05');
    expect(formatEurosPlain(0n)).toBe('0,00');
  });
});
