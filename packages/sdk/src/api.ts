// Everything @vigil/sdk exports (index.ts adds the default export).
export type { MetricType, Aggregator, LabelValues, CollectFunction, MetricValue, MetricObject, Exemplar, RenderOptions } from './types.js';
export { Registry, globalRegistry, globalRegistry as register, negotiate, PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './registry.js';
export type { RegistryContentType, RegistrableMetric, RegistryOptions } from './registry.js';
export { Metric, type MetricConfiguration, type SeriesBase } from './metric.js';
export { Counter, CounterChild, type CounterConfiguration, type IncreaseOptions } from './counter.js';
export { Gauge, GaugeChild, type GaugeConfiguration } from './gauge.js';
export { Histogram, HistogramChild, type HistogramConfiguration, type ObserveOptions } from './histogram.js';
export { Summary, SummaryChild, type SummaryConfiguration } from './summary.js';
export { QuantileSketch, SlidingQuantiles, sketchQuantiles } from './sketch.js';
export { linearBuckets, exponentialBuckets, DEFAULT_BUCKETS } from './buckets.js';
export { validateMetricName, validateLabelName } from './validate.js';
export { escapeLabelValue } from './format.js';

import { globalRegistry, PROMETHEUS_CONTENT_TYPE as P, OPENMETRICS_CONTENT_TYPE as O } from './registry.js';
/** Content type of the default registry (prom-client's `contentType`). */
export const contentType = globalRegistry.contentType;
export const prometheusContentType = P;
export const openMetricsContentType = O;
export { collectDefaultMetrics, defaultMetricsList, type DefaultMetricsCollectorConfiguration, type DefaultMetricsHandle } from './defaults.js';
export { HttpMetrics, metricsHandler, normalizePath, type HttpMetricsOptions, type MetricsHandlerOptions, type FastifyLike, type FastifyRequestLike } from './http.js';
export { instrumentAsync, DbMetrics, CacheMetrics, ActiveUsers, domainEvents, parseSql, type DbMetricsOptions, type CacheMetricsOptions, type ActiveUsersOptions, type PoolLike } from './instrument.js';
export { Pushgateway, pushToVigil, importBody, type PushgatewayOptions, type PushgatewayParams, type VigilPushOptions, type RetryOptions, type PushResult } from './push.js';
export { TextSink } from './sink.js';
export { GrpcMetrics, grpcCodeName, type GrpcMetricsOptions, type MethodDefinitionLike } from './grpc.js';
export { AggregatorRegistry, AggregatorFactory, aggregators } from './cluster.js';
// prom-client type names, for TypeScript code moving over.
export type PrometheusContentType = typeof import('./registry.js').PROMETHEUS_CONTENT_TYPE;
export type OpenMetricsContentType = typeof import('./registry.js').OPENMETRICS_CONTENT_TYPE;
export type MetricObjectWithValues<T = import('./types.js').MetricValue> = import('./types.js').MetricObject & { values: T[] };
export type MetricValueWithName<T extends string = string> = import('./types.js').MetricValue<T> & { metricName?: string };
export type { AnyMetric } from './registry.js';
export { pushRemoteWrite, encodeWriteRequest, snappyCompress, type RemoteWriteOptions } from './remotewrite.js';
