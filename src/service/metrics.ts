/**
 * Prometheus metrics of a running service. Counters the engine and ingest already keep
 * are read at scrape time, so nothing is added to the per-event path; only signal
 * latency is observed as it happens (signals are rare).
 *
 * @module
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { TapewatchApp } from './app';

/** The metrics of one {@link TapewatchApp}, in their own registry. */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** Wall-clock time from a batch entering the pipeline to each signal it produced, seconds. */
  readonly signalLatency: Histogram;

  constructor(app: TapewatchApp) {
    const registry = this.registry;
    collectDefaultMetrics({
      register: registry,
      prefix: 'tapewatch_process_',
      eventLoopMonitoringPrecision: 10,
    });

    new Gauge({
      name: 'tapewatch_events_total',
      help: 'Events processed by the engine, per event kind (counter semantics; reset by a pipeline reset).',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        const byKind = app.engine.stats().eventsByKind;
        for (const kind of Object.keys(byKind) as (keyof typeof byKind)[]) this.set({ kind }, byKind[kind]);
      },
    });
    new Gauge({
      name: 'tapewatch_ingest_accepted_total',
      help: 'Events accepted at the edge, per source.',
      labelNames: ['source'],
      registers: [registry],
      collect() {
        for (const [source, c] of Object.entries(app.stats.report().sources))
          this.set({ source }, c.accepted);
      },
    });
    new Gauge({
      name: 'tapewatch_ingest_invalid_total',
      help: 'Invalid events rejected at the edge, per source and offending field.',
      labelNames: ['source', 'field'],
      registers: [registry],
      collect() {
        for (const [source, c] of Object.entries(app.stats.report().sources)) {
          for (const [field, n] of Object.entries(c.rejectedByField)) this.set({ source, field }, n);
        }
      },
    });
    new Gauge({
      name: 'tapewatch_signals_total',
      help: 'Signals emitted, per typology.',
      labelNames: ['typology'],
      registers: [registry],
      collect() {
        for (const [typology, n] of Object.entries(app.signalsByTypology())) this.set({ typology }, n);
      },
    });
    new Gauge({
      name: 'tapewatch_subscriber_drops_total',
      help: 'Messages dropped from slow subscribers’ buffers, per stream.',
      labelNames: ['stream'],
      registers: [registry],
      collect() {
        for (const [stream, n] of Object.entries(app.streamDrops())) this.set({ stream }, n);
      },
    });
    new Gauge({
      name: 'tapewatch_subscribers',
      help: 'Current subscribers, per stream.',
      labelNames: ['stream'],
      registers: [registry],
      collect() {
        for (const [stream, n] of Object.entries(app.subscriberCounts())) this.set({ stream }, n);
      },
    });
    new Gauge({
      name: 'tapewatch_late_events_total',
      help: 'Events older than the watermark on arrival (all processed), by whether they were within the lateness bound.',
      labelNames: ['bound'],
      registers: [registry],
      collect() {
        const s = app.engine.stats();
        this.set({ bound: 'within' }, s.lateEvents - s.tooLateEvents);
        this.set({ bound: 'beyond' }, s.tooLateEvents);
      },
    });
    new Gauge({
      name: 'tapewatch_resting_orders',
      help: 'Resting orders across all mirrored books.',
      registers: [registry],
      collect() {
        this.set(app.engine.stats().restingOrders);
      },
    });
    new Counter({
      name: 'tapewatch_detector_errors_total',
      help: 'Exceptions thrown by detectors (caught; the stream went on), per detector.',
      labelNames: ['detector'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [detector, n] of Object.entries(app.engine.stats().detectorErrors))
          this.inc({ detector }, n);
      },
    });
    this.signalLatency = new Histogram({
      name: 'tapewatch_event_to_signal_seconds',
      help: 'Wall-clock time from a batch entering the pipeline to a signal it produced.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    app.onSignalLatency((seconds) => this.signalLatency.observe(seconds));
  }

  /** The exposition text for `/metrics`. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content type of {@link ServiceMetrics.text}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
