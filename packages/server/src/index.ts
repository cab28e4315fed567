// Library entry of the `vigil` package: the storage seam and plain model types, for embedding.
export * from './model/index.js';
export * from './storage/index.js';
export { App } from './app/app.js';
