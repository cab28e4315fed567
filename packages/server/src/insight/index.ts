// insight: streaming anomaly detectors, dynamic thresholds, the insight job manager, the NAB
// scorer and offline evaluation.
export * from './detectors/index.js';
export * from './nab/index.js';
export * from './eval.js';
export * from './config.js';
export * from './thresholds.js';
export * from './manager.js';
export * from './routes.js';
export * from './query.js';
