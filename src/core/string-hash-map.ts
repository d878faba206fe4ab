/**
 * A string-keyed hash map for the hot path: open addressing with linear probing,
 * backward-shift deletion (no tombstones) and the full 32-bit hash kept beside each key so
 * most probes never touch the key string.
 *
 * Why not `Map`: order IDs arrive as fresh string objects on every event, and V8's `Map`
 * pays for hashing them plus its insertion-ordered bookkeeping on every insert and delete;
 * on the machines we benchmark on, an insert+delete pair on a 150k-entry `Map` costs about
 * twice what it costs here (see docs/BENCHMARKS.md). Iteration order is unspecified.
 *
 * @module
 */

const MIN_CAPACITY = 16;

/** 32-bit FNV-1a over UTF-16 code units, finished with murmur3's fmix32; never 0. */
export function hashString(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 1; // 0 marks an empty slot
}

/** Map from string keys to values; see the module comment for when to prefer it over `Map`. */
export class StringHashMap<V> {
  private mask = MIN_CAPACITY - 1;
  private hashes = new Int32Array(MIN_CAPACITY);
  private keys: (string | undefined)[] = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
  private vals: (V | undefined)[] = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
  private count = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** The value of `key`, or undefined. */
  get(key: string): V | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.vals[i];
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  /** Sets `key` to `value`. */
  set(key: string, value: V): void {
    if ((this.count + 1) * 2 > this.hashes.length) this.resize(this.hashes.length * 2);
    this.insert(hashString(key), key, value);
  }

  /**
   * Inserts `key` → `value` unless `key` is present; returns the present value, or
   * undefined after inserting. One probe where `get` then `set` would take two.
   */
  putIfAbsent(key: string, value: V): V | undefined {
    if ((this.count + 1) * 2 > this.hashes.length) this.resize(this.hashes.length * 2);
    const h = hashString(key);
    const mask = this.mask;
    const hashes = this.hashes;
    let i = h & mask;
    for (;;) {
      const slotHash = hashes[i] as number;
      if (slotHash === 0) {
        hashes[i] = h;
        this.keys[i] = key;
        this.vals[i] = value;
        this.count++;
        return undefined;
      }
      if (slotHash === h && this.keys[i] === key) return this.vals[i];
      i = (i + 1) & mask;
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: string): boolean {
    const i = this.indexOf(key);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /** Removes `key` and returns its value (undefined when absent), probing once. */
  take(key: string): V | undefined {
    const i = this.indexOf(key);
    if (i < 0) return undefined;
    const value = this.vals[i];
    this.removeAt(i);
    return value;
  }

  /** Calls `fn` for every entry, in unspecified order. Do not modify the map meanwhile. */
  forEach(fn: (value: V, key: string) => void): void {
    const hashes = this.hashes;
    for (let i = 0; i < hashes.length; i++) {
      if (hashes[i] !== 0) fn(this.vals[i] as V, this.keys[i] as string);
    }
  }

  /** Every value, in unspecified order. */
  *values(): IterableIterator<V> {
    const hashes = this.hashes;
    for (let i = 0; i < hashes.length; i++) if (hashes[i] !== 0) yield this.vals[i] as V;
  }

  /** Every key, in unspecified order. */
  *keysIter(): IterableIterator<string> {
    const hashes = this.hashes;
    for (let i = 0; i < hashes.length; i++) if (hashes[i] !== 0) yield this.keys[i] as string;
  }

  /** Removes every entry and releases the table. */
  clear(): void {
    this.mask = MIN_CAPACITY - 1;
    this.hashes = new Int32Array(MIN_CAPACITY);
    this.keys = new Array<string | undefined>(MIN_CAPACITY).fill(undefined);
    this.vals = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
    this.count = 0;
  }

  private indexOf(key: string): number {
    const h = hashString(key);
    const mask = this.mask;
    const hashes = this.hashes;
    let i = h & mask;
    for (;;) {
      const slotHash = hashes[i] as number;
      if (slotHash === 0) return -1;
      if (slotHash === h && this.keys[i] === key) return i;
      i = (i + 1) & mask;
    }
  }

  private insert(h: number, key: string, value: V): void {
    const mask = this.mask;
    const hashes = this.hashes;
    let i = h & mask;
    for (;;) {
      const slotHash = hashes[i] as number;
      if (slotHash === 0) {
        hashes[i] = h;
        this.keys[i] = key;
        this.vals[i] = value;
        this.count++;
        return;
      }
      if (slotHash === h && this.keys[i] === key) {
        this.vals[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private resize(capacity: number): void {
    const oldHashes = this.hashes;
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.mask = capacity - 1;
    this.hashes = new Int32Array(capacity);
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.vals = new Array<V | undefined>(capacity).fill(undefined);
    this.count = 0;
    for (let i = 0; i < oldHashes.length; i++) {
      const h = oldHashes[i] as number;
      if (h !== 0) this.insert(h, oldKeys[i] as string, oldVals[i] as V);
    }
  }

  private removeAt(slot: number): void {
    let i = slot;
    const mask = this.mask;
    const hashes = this.hashes;
    // Backward-shift: pull later entries of the probe run into the hole so lookups never
    // need tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const slotHash = hashes[j] as number;
      if (slotHash === 0) break;
      const ideal = slotHash & mask;
      const stays = i <= j ? i < ideal && ideal <= j : i < ideal || ideal <= j;
      if (stays) continue;
      hashes[i] = slotHash;
      this.keys[i] = this.keys[j];
      this.vals[i] = this.vals[j];
      i = j;
    }
    hashes[i] = 0;
    this.keys[i] = undefined;
    this.vals[i] = undefined;
    this.count--;
  }
}
