// @vigil/sdk: metrics for Node apps, a drop-in for prom-client's core API.
export * from './api.js';
import * as api from './api.js';
/** `import client from '@vigil/sdk'` works like `import client from 'prom-client'`. */
export default api;
