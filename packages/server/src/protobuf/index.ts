// Hand-written protobuf wire format (reader, writer) and the Prometheus remote_write/read messages.
export * from './reader.js';
export * from './writer.js';
export * from './prompb.js';
export * from './intern.js';
