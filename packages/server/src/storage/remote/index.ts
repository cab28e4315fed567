// remote_write out: config parsing, the sharded retrying queue, the WAL watcher that feeds it
// durably from the TSDB's WAL (or, for in-memory TSDBs, the fan-out Appendable that feeds it
// committed samples), and a manager for config reloads. See docs/ingestion.md.
export { parseRemoteWriteConfigs, parseRemoteWriteConfig, DEFAULT_QUEUE, type RemoteWriteConfig, type QueueConfig, type TLSConfig } from './config.js';
export { RemoteWriter, type RemoteWriteStats, type RemoteSink, type RemoteWriterOptions } from './queue.js';
export { fanoutAppendable } from './fanout.js';
export { RemoteWriteManager } from './manager.js';
export { WalWatcher, type WalSource, type WalPosition, type WalWatcherStats, type WalWatcherOptions } from './walwatcher.js';
export { DiskQueue, type QueuedBatch, type DiskQueueOptions } from './diskqueue.js';
export { newRemoteClient, type RemoteClient, type SendResult } from './client.js';
export { registerRemoteReadRoute, type RemoteReadDeps } from './read.js';
