/**
 * tapewatch — market-surveillance engine for crypto venues.
 *
 * @example
 * ```ts
 * import { createEngine, replayJsonl } from 'tapewatch';
 * const engine = createEngine({ detectors: [], owners: { acctA: 'alice', acctB: 'alice' } });
 * engine.onSignal((s) => console.log(s.explanation));
 * await replayJsonl('day.jsonl', (e) => engine.process(e));
 * engine.flush();
 * ```
 *
 * @packageDocumentation
 */

export * from './config';
export {
  buildConfigSchema,
  EngineConfigSchema,
  loadConfigFile,
  OwnersConfigSchema,
  parseConfig,
} from './core/config';
export * from './core/errors';
export * from './core/events';
export { fnv1a32, partitionOf, stableId } from './core/ids';
export * from './core/ingest-stats';
export { SeededRandom } from './core/random';
export * from './core/signal';
export { hashString, StringHashMap } from './core/string-hash-map';
export * from './core/time';
export * from './core/validate';
export { BUILTIN_DETECTORS } from './detectors';
export { BookSide, type Level } from './engine/book-side';
export type { Detector, DetectorContext } from './engine/detector';
export * from './engine/engine';
export { MarketStats, type TradeWindowStats } from './engine/market-stats';
export {
  type BookAnomalies,
  type BookUpdate,
  MutableBookUpdate,
  OrderBook,
  type RestingOrder,
} from './engine/order-book';
export { OwnerMap } from './engine/owners';
export { type DetectorDefinition, defineDetector } from './engine/registry';
export {
  createGateway,
  type GatewayEnv,
  type GatewayOptions,
  type HttpServerHandle,
  startHttpServer,
} from './http/gateway';
export * from './ingest/cex/adapters';
export { BookMirror, type TopOfBook } from './ingest/cex/book-mirror';
export * from './ingest/cex/cex-feed';
export * from './ingest/dex/dex-config';
export * from './ingest/dex/rpc-poller';
export * from './ingest/dex/swap-decoder';
export * from './ingest/files/csv';
export * from './ingest/files/csv-mapping';
export {
  type CsvHandler,
  CsvParser,
  type CsvRecord,
  type CsvSyntaxProblem,
  formatCsvRecord,
  MAX_CSV_RECORD_LENGTH,
  parseCsv,
} from './ingest/files/csv-parser';
export * from './ingest/files/jsonl';
export * from './ingest/fix/durable-session-store';
export {
  type FixAcceptorHandle,
  type FixAcceptorOptions,
  type FixLog,
  HostBoundTcpAcceptor,
  startFixAcceptor,
} from './ingest/fix/fix-acceptor';
export * from './ingest/fix/fix-config';
export { replayFixLog } from './ingest/fix/fix-log';
export * from './ingest/fix/fix-mapper';
export {
  type FixSessionCounters,
  type FixSessionHooks,
  framingProblem,
  RecentIds,
  TapewatchFixSession,
} from './ingest/fix/fix-session';
export * from './ingest/fix/sequence-ledger';
export * from './ingest/ingest-config';
export { type NarrativeConfig, type NarrativeConfigInput, NarrativeConfigSchema } from './narrative/config';
export { educationFor, lessonFor, type TypologyLesson, typologyTitle } from './narrative/education';
export {
  type BookView,
  type NarratedCase,
  type NarrativeLine,
  Narrator,
  type NarratorMarket,
  type NarratorSource,
  type StatsView,
} from './narrative/narrator';
export {
  IllegalNarrativeTransitionError,
  NARRATIVE_STATES,
  type NarrativeAction,
  type NarrativeState,
  transition as narrativeTransition,
} from './narrative/state-machine';
export {
  DexSandwichConfig,
  type DexSandwichConfigInput,
  dexSandwich,
  dexSandwichDefinition,
} from './rules/dex-sandwich';
export { LayeringConfig, type LayeringConfigInput, layering, layeringDefinition } from './rules/layering';
export {
  MarkingTheCloseConfig,
  type MarkingTheCloseConfigInput,
  markingTheClose,
  markingTheCloseDefinition,
} from './rules/marking-the-close';
export {
  MomentumIgnitionConfig,
  type MomentumIgnitionConfigInput,
  momentumIgnition,
  momentumIgnitionDefinition,
} from './rules/momentum-ignition';
export {
  PumpAndDumpConfig,
  type PumpAndDumpConfigInput,
  pumpAndDump,
  pumpAndDumpDefinition,
} from './rules/pump-and-dump';
export {
  QuoteStuffingConfig,
  type QuoteStuffingConfigInput,
  quoteStuffing,
  quoteStuffingDefinition,
} from './rules/quote-stuffing';
export { SpoofingConfig, type SpoofingConfigInput, spoofing, spoofingDefinition } from './rules/spoofing';
export {
  WashTradingConfig,
  type WashTradingConfigInput,
  washTrading,
  washTradingDefinition,
} from './rules/wash-trading';
export {
  applyPartitionOp,
  assertPartitionable,
  checkPartitionCount,
  PartitioningError,
  type PartitionOp,
  PartitionRouter,
  type PartitionRouterOptions,
  type PartitionSink,
  type RouterClock,
} from './scale/partition-router';
export { type AppStatus, type PipelineEngine, TapewatchApp, type TapewatchAppOptions } from './service/app';
export {
  AuthError,
  hasRole,
  type Principal,
  ROLES,
  type Role,
  TokenAuthenticator,
  type TokenGrant,
} from './service/auth';
export { Broadcaster, type SubscribeOptions, Subscription } from './service/broadcaster';
export {
  type ActorInput,
  CaseService,
  type CaseServiceOptions,
  type CaseServiceStats,
} from './service/case-service';
export {
  type BatchEventError,
  BatchRejectedError,
  type IngestResult,
  IngestService,
  type IngestServiceOptions,
} from './service/ingest-service';
export { ServiceMetrics } from './service/metrics';
export { type ServerConfig, ServerConfigSchema } from './service/server-config';
