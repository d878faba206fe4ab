/**
 * Hashes and deterministic identifiers. Signal and case IDs are derived from their
 * content, so a replay or a restarted worker produces the same IDs and stores upsert
 * instead of duplicating.
 *
 * @module
 */
import { createHash } from 'node:crypto';

const FNV_OFFSET_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

/**
 * 32-bit FNV-1a over the UTF-16 code units of `text`. The one partitioning hash of
 * tapewatch: `fnv1a32(instrument) % partitions` everywhere.
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_32;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME_32);
  }
  return hash >>> 0;
}

/** The partition (0..partitions-1) that owns an instrument. */
export function partitionOf(instrument: string, partitions: number): number {
  return fnv1a32(instrument) % partitions;
}

/**
 * A deterministic identifier from its parts: `prefix` + the first `hexLength` hex digits of
 * SHA-256 over the parts joined by a separator no identifier can contain.
 */
export function stableId(prefix: string, parts: readonly (string | number)[], hexLength = 16): string {
  const hash = createHash('sha256');
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) hash.update('\u0000');
    hash.update(String(parts[i]));
  }
  return `${prefix}${hash.digest('hex').slice(0, hexLength)}`;
}
