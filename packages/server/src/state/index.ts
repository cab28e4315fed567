// Embedded state store (SQLite): silences, notification log, alert history.
export { StateStore, StateStoreError, openStateStore, type StateStoreOptions } from './store.js';
export { MIGRATIONS, LATEST_VERSION, migrate, schemaVersion, type Migration } from './migrations.js';
export { SilenceRepo } from './silences.js';
export { NflogRepo } from './nflog.js';
export { HistoryRepo, type HistoryFilter } from './history.js';
export type { SilenceRow, SilenceMatcherRow, NflogRow, NflogReceiverRow, HistoryRow } from './types.js';
