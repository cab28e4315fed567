export * from './labels.js';
export * from './matchers.js';
export * from './sample.js';
export * from './histogram.js';
