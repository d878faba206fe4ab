/**
 * Event time helpers. Time is integer epoch microseconds everywhere; durations carry
 * their unit in their name (`windowUs`, `tickIntervalMs`).
 *
 * @module
 */

/** Microseconds per millisecond. */
export const US_PER_MS = 1_000;
/** Microseconds per second. */
export const US_PER_SECOND = 1_000_000;
/** Microseconds per minute. */
export const US_PER_MINUTE = 60_000_000;

/** Milliseconds (possibly fractional) to integer microseconds. */
export function msToUs(ms: number): number {
  return Math.round(ms * US_PER_MS);
}

/** Seconds (possibly fractional) to integer microseconds. */
export function secondsToUs(seconds: number): number {
  return Math.round(seconds * US_PER_SECOND);
}

/** Epoch microseconds from a `Date` or epoch milliseconds. */
export function toEpochUs(date: Date | number): number {
  const ms = typeof date === 'number' ? date : date.getTime();
  return Math.round(ms * US_PER_MS);
}

/** ISO-8601 UTC text with microseconds: `2024-05-01T12:00:00.123456Z`. */
export function formatTs(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  const ms = Math.floor(us / US_PER_MS);
  const micros = us - ms * US_PER_MS;
  const iso = new Date(ms).toISOString(); // …ss.mmmZ
  return `${iso.slice(0, -1)}${String(Math.round(micros)).padStart(3, '0')}Z`;
}

/** A duration in µs as short human text: `850 µs`, `12.5 ms`, `1.80 s`, `3.0 min`. */
export function formatDurationUs(us: number): string {
  const abs = Math.abs(us);
  if (abs < US_PER_MS) return `${Math.round(us)} µs`;
  if (abs < US_PER_SECOND) return `${(us / US_PER_MS).toFixed(abs < 10 * US_PER_MS ? 2 : 1)} ms`;
  if (abs < US_PER_MINUTE) return `${(us / US_PER_SECOND).toFixed(2)} s`;
  return `${(us / US_PER_MINUTE).toFixed(1)} min`;
}
