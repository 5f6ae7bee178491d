/** The stream protocol codec, for the server: see README.md beside this file. */
export * from './constants.js';
export * from './errors.js';
export { FrameReader, type FrameHandler } from './frame-reader.js';
export { PublishReader } from './publish-reader.js';
export * from './decode.js';
export { FrameWriter, DATA_COPY_THRESHOLD } from './frame-writer.js';
export type { Broker, StreamMetadata } from './encode.js';
