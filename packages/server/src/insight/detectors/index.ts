// Streaming anomaly detectors: causal, incremental, bounded memory, JSON-serialisable state.
export * from './types.js';
export * from './registry.js';
export { Likelihood, Calibrator, logScale } from './likelihood.js';
export { IsolationForest } from './iforest.js';
export { BlockStats, SortedWindow, Ring, zToScore, normalTail } from './math.js';
