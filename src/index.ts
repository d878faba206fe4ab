/**
 * tapewatch — market-surveillance engine for crypto venues.
 *
 * @packageDocumentation
 */

export * from './core/errors';
export * from './core/events';
export { fnv1a32, partitionOf, stableId } from './core/ids';
export * from './core/ingest-stats';
export { SeededRandom } from './core/random';
export * from './core/signal';
export { hashString, StringHashMap } from './core/string-hash-map';
export * from './core/time';
export * from './core/validate';
