/**
 * `tapewatch/rules`: the rule detectors, one per manipulation typology, and the helpers
 * they are built from, for users writing detectors of their own.
 *
 * @example
 * ```ts
 * import { spoofing, layering, EventWindow, severityOf } from 'tapewatch/rules';
 * ```
 *
 * @packageDocumentation
 */
export * from './dex-sandwich';
export * from './layering';
export * from './marking-the-close';
export * from './momentum-ignition';
export * from './pump-and-dump';
export * from './quote-stuffing';
export * from './shared';
export * from './spoofing';
export * from './wash-trading';
