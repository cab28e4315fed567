export { NotificationLog, isSubset, type NflogEntry, type NflogReceiver } from './nflog.js';
