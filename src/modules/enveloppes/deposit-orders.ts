/**
 * The order of each deposit in the input (the rank of its first line), as the stager (staging.ts) meets
 * them. A national file has about a million deposits (one per company filing for itself): a JavaScript
 * Map of a million entries, keyed by numbers beyond 2^31, costs some 50 MB of heap and twice as much
 * while it grows. Deposits filed by a SIRET are therefore kept in an open-addressing table of typed
 * arrays (key: the déclarant's SIRET as a number plus the file's index × 10^14, and the deposit date's
 * index; 20 bytes a slot, no object per deposit); the others (a déclarant by name, a DSN declaration)
 * in a Map, as before.
 */

/** Files whose deposits fit the numeric key (SIRET + file × 10^14 stays below 2^53). */
const MAX_NUMERIC_FILES = 90;

export class DepositOrders {
  private count = 0;
  private readonly dates = new Map<string | null, number>();
  private readonly others = new Map<string, number>();
  private size = 0;
  private keys = new Float64Array(1 << 16);
  private dateIds = new Int32Array(1 << 16);
  /** order + 1 (0: free slot) */
  private orders = new Int32Array(1 << 16);

  /**
   * The order of the deposit `depot` of date `deposeLe`, filed by `siret` (14 digits, or null) in the
   * file of index `fichierKey`: its rank among the deposits met so far, a new one taking the next rank.
   */
  orderOf(depot: string, deposeLe: string | null, siret: string | null, fichierKey: number): number {
    if (siret === null || fichierKey >= MAX_NUMERIC_FILES) {
      const key = `${deposeLe ?? ''}\u0000${depot}`;
      let o = this.others.get(key);
      if (o === undefined) this.others.set(key, (o = this.count++));
      return o;
    }
    let d = this.dates.get(deposeLe);
    if (d === undefined) this.dates.set(deposeLe, (d = this.dates.size));
    return this.numeric(Number(siret) + fichierKey * 1e14, d);
  }

  private numeric(key: number, date: number): number {
    const mask = this.keys.length - 1;
    let i = slotOf(key, date) & mask;
    for (;;) {
      const o = this.orders[i]!;
      if (o === 0) break;
      if (this.keys[i] === key && this.dateIds[i] === date) return o - 1;
      i = (i + 1) & mask;
    }
    const order = this.count++;
    this.keys[i] = key;
    this.dateIds[i] = date;
    this.orders[i] = order + 1;
    if (++this.size * 2 > this.keys.length) this.grow();
    return order;
  }

  /** Twice as many slots (the load stays under one half). */
  private grow(): void {
    const { keys, dateIds, orders } = this;
    const n = keys.length * 2;
    this.keys = new Float64Array(n);
    this.dateIds = new Int32Array(n);
    this.orders = new Int32Array(n);
    const mask = n - 1;
    for (let j = 0; j < keys.length; j++) {
      if (orders[j] === 0) continue;
      let i = slotOf(keys[j]!, dateIds[j]!) & mask;
      while (this.orders[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = keys[j]!;
      this.dateIds[i] = dateIds[j]!;
      this.orders[i] = orders[j]!;
    }
  }
}

/** A slot for (key, date): the key's low and high 32 bits mixed (Murmur3's finaliser). */
function slotOf(key: number, date: number): number {
  let h = (key % 4294967296) ^ Math.imul(Math.floor(key / 4294967296), 0x9e3779b1) ^ Math.imul(date, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
