// An Express app instrumented with @vigil/sdk (express is a dev dependency of this repo).
//   npm run build && node examples/express-app.mjs [port]
//   curl localhost:3000/api/items/7 ; curl localhost:3000/metrics
import express from 'express';
import { HttpMetrics, metricsHandler, collectDefaultMetrics, CacheMetrics, Histogram, instrumentAsync } from '@vigil/sdk';

collectDefaultMetrics();
const http = new HttpMetrics();
const cache = new CacheMetrics();
const lookups = new Histogram({ name: 'item_lookup_seconds', help: 'Item lookups.', labelNames: ['source', 'result'] });
const items = new Map([['7', { id: 7, name: 'seven' }]]);
const lru = new Map();

const app = express();
app.use(http.express()); // before the routes: route labels come from req.baseUrl + req.route.path
const api = express.Router();
api.get('/items/:id', async (req, res) => {
  if (lru.has(req.params.id)) {
    cache.hit('items');
    return res.json(lru.get(req.params.id));
  }
  cache.miss('items');
  const item = await instrumentAsync(async () => items.get(req.params.id), lookups, { source: 'db' });
  if (!item) return res.status(404).json({ error: 'not found' });
  lru.set(req.params.id, item);
  res.json(item);
});
app.use('/api', api);
app.get('/metrics', metricsHandler());

const port = Number(process.argv[2] ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port} (metrics at /metrics)`));
