export { AlertStore, type AlertListener } from './alerts.js';
export { Marker, type AlertMarkStatus } from './marker.js';
