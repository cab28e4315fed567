// Vigil's embedded TSDB: head (Gorilla chunks, postings), WAL, blocks, compaction, retention.
export { openTSDB, TSDB } from './db.js';
export type { TSDBOptions, TSDBStats, HeadStatsResponse, WalReplayStatus } from './db.js';
export { Head } from './head.js';
export { BlockReader, BlockWriter, BlockCorruptError } from './block.js';
export type { BlockMeta } from './block.js';
export type { WalSyncPolicy } from './wal.js';
export { postingsForMatchers, intersect, union, subtract } from './postings.js';
export { io as tsdbIO } from './fsio.js';
export { registerTSDBRoutes, type TSDBRoutesDeps } from './routes.js';
export { importOpenMetrics, type ImportOptions, type ImportResult } from './import.js';
export { ExemplarStore, DEFAULT_MAX_EXEMPLARS, EXEMPLAR_MAX_LABEL_RUNES, parseExemplarsConfig } from './exemplars.js';
export type { ExemplarQueryResult, StoredExemplar, ExemplarStats } from './exemplars.js';
