/**
 * `tapewatch/cases`: signals folded into cases, the investigation workflow, case stores and
 * reports.
 *
 * @example
 * ```ts
 * import { CaseManager, MemoryCaseStore, applyAction } from 'tapewatch/cases';
 * const manager = new CaseManager();
 * const store = new MemoryCaseStore();
 * await store.init();
 * engine.onSignal((s) => void store.upsert(manager.onSignal(s)));
 * ```
 *
 * @packageDocumentation
 */
export {
  CaseManager,
  type CaseManagerOptions,
  type CaseManagerSnapshot,
  type CaseManagerStats,
  caseIdFor,
  MARKET_OWNER,
  primaryOwner,
  SWEEP_EVERY,
} from './case-manager';
export { CaseNotFoundError, ConflictError, IllegalTransitionError, InvalidCaseActionError } from './errors';
export { MarketContextRecorder, type MarketContextRecorderOptions } from './market-context';
export { type MergeOutcome, mergeDraft, SYSTEM_ACTOR } from './merge';
export {
  escapeHtml,
  escapeMarkdown,
  isoUs,
  priceChartSvg,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportingEntity,
  type ReportOptions,
  renderHtml,
  renderMarkdown,
  renderReport,
  type StorRecord,
  storRecord,
} from './report';
export {
  ANOMALY_TYPOLOGY,
  combineScores,
  ML_WEIGHT,
  maxSeverity,
  priorityFor,
  ruleComponent,
  SEVERITY_WEIGHT,
  withDerivedFields,
} from './scoring';
export {
  type CaseStore,
  compareForQuery,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  matchesQuery,
  type NormalizedQuery,
  normalizeQuery,
  pageOf,
} from './store/case-store';
export { MemoryCaseStore } from './store/memory-store';
export { DEFAULT_DB, openCaseStore } from './store/open-store';
export { PostgresCaseStore, type PostgresCaseStoreOptions } from './store/postgres-store';
export { SqliteCaseStore, type SqliteCaseStoreOptions } from './store/sqlite-store';
export { DEFAULT_SUPPRESSION_US, SuppressionList } from './suppression';
export * from './types';
export {
  type ActionMeta,
  allowedActions,
  applyAction,
  assertAuditAppendOnly,
  auditEntry,
  CASE_ACTION_TYPES,
  type CaseAction,
  type CaseActionType,
  type ReplayedWorkflow,
  replayAudit,
  transition,
} from './workflow';
