// OTLP/HTTP metrics receiver and codecs.
export { otlpHandler } from './handler.js';
export { convertOtlp, type OtlpOutcome, type OtlpOptions } from './convert.js';
export { parseOtlpConfig } from './config.js';
export { decodeOtlpProtobuf } from './decode-pb.js';
export { decodeOtlpJson, OtlpJsonError } from './decode-json.js';
export { encodeOtlpRequest, encodeOtlpResponse, decodeOtlpResponse, type PartialSuccess } from './encode-pb.js';
export { metricName, labelName, unitSuffixes, promUnit } from './names.js';
export * from './model.js';
