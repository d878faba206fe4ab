/**
 * `tapewatch/grpc`: the TypeScript client of the tapewatch gRPC service, the server
 * adapter, and the generated protobuf types.
 *
 * @example
 * ```ts
 * import { connect } from 'tapewatch/grpc';
 * const client = connect('localhost:50051', { token: process.env.TAPEWATCH_TOKEN });
 * for await (const s of client.signals({ typologies: ['spoofing'] })) console.log(s.explanation);
 * ```
 *
 * @packageDocumentation
 */
export {
  type ConnectOptions,
  connect,
  type IngestOptions,
  type IngestSummary,
  type StreamFilter,
  TapewatchClient,
} from './client';
export { eventFromProto, eventToProto, signalFromProto, signalToProto } from './convert';
export * as pb from './gen/tapewatch/v1/events';
export * as pbService from './gen/tapewatch/v1/service';
export * as pbSignals from './gen/tapewatch/v1/signals';
export { type GrpcServerHandle, type GrpcServerOptions, startGrpcServer } from './server';
export { type DecodedBatch, decodeEventBatch, type UndecodableEvent } from './wire';
