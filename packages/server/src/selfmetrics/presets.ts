// Ready-made StatsSpecs for the subsystems' stats() shapes.
import type { TSDBStats } from '../tsdb/db.js';
import type { ReceiverStats } from '../ingest/stats.js';
import type { RemoteWriteStats } from '../storage/remote/queue.js';
import type { LoopStats } from '../scrape/loop.js';
import type { StatsSpec } from './selfmetrics.js';

/** `sm.addStats(TSDB_STATS, () => tsdb.stats())` */
export const TSDB_STATS: StatsSpec<TSDBStats> = {
  subsystem: 'tsdb',
  counters: [
    'samplesAppended', 'outOfOrderSamples', 'tooOldSamples', 'duplicateSamples', 'walCorruptions', 'walWriteErrors', 'compactions',
    'compactionFailures', 'headCompactions', 'checkpoints', 'retentionDeletedBlocks', 'exemplarsAppended', 'outOfOrderExemplars',
  ],
  millis: ['headMinTime', 'headMaxTime'],
  help: {
    headSeries: 'Series in the head block.',
    headChunks: 'Chunks in the head block.',
    samplesAppended: 'Samples appended to the head.',
    walBytes: 'Size of the write-ahead log in bytes.',
    blocks: 'Persisted blocks.',
    blockBytes: 'Size of persisted blocks in bytes.',
    headMemoryBytes: 'Estimated memory used by the head block.',
  },
};

/** `sm.addStats(INGEST_STATS, () => ingest.stats())` (a record keyed by receiver). */
export const INGEST_STATS: StatsSpec<ReceiverStats> = {
  subsystem: 'ingest',
  labels: ['receiver'],
  counters: ['requests', 'failedRequests', 'samplesAccepted', 'samplesRejected', 'exemplarsAccepted', 'exemplarsRejected', 'metadataReceived', 'bytesReceived'],
};

/** `sm.addStats(REMOTE_WRITE_STATS, () => remoteWrite.stats())` (a list, labelled by queue name and url). */
export const REMOTE_WRITE_STATS: StatsSpec<RemoteWriteStats> = {
  subsystem: 'remote_write',
  labels: ['name', 'url'],
  counters: ['samplesIn', 'samplesSent', 'samplesFailed', 'samplesDropped', 'samplesRelabeledAway', 'samplesRetried', 'requests', 'failedRequests', 'bytesSent', 'metadataSent'],
  millis: ['highestSentTimestamp'],
};

/** `sm.addStats(SCRAPE_STATS, () => scrapeManager.stats())` */
export const SCRAPE_STATS: StatsSpec<LoopStats> = {
  subsystem: 'scrape',
  counters: ['outOfOrder', 'duplicate', 'outOfBounds', 'sampleLimitHits', 'scrapes', 'failedScrapes'],
};
