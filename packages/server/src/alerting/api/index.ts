export { registerAlertmanagerRoutes, toGettableSilence, type AlertmanagerRouteDeps, type GettableAlert, type GettableSilence } from './v2.js';
