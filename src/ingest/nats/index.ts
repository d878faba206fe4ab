/**
 * The NATS JetStream transport: publisher, partition worker, checkpoints and wire format.
 *
 * @module
 */
export * from './checkpoint-store';
export * from './codec';
export * from './nats-worker';
export * from './publisher';
export * from './topology';
