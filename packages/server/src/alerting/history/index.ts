export { AlertHistory, type HistoryEntry, type HistoryView } from './history.js';
