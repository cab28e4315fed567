export { registerAlertmanagerRoutes, type AlertmanagerRouteDeps } from './v2.js';
export { ALERTMANAGER_API_VERSION, toGettableAlert, toGettableSilence, type GettableAlert, type GettableSilence } from './models.js';
