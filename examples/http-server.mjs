// A node:http app instrumented with @vigil/sdk: request metrics by route template, default
// process/runtime metrics, a business counter, and /metrics for Vigil (or Prometheus) to scrape.
//   npm run build && node examples/http-server.mjs [port]
//   curl localhost:3000/users/42 ; curl localhost:3000/metrics
import http from 'node:http';
import { HttpMetrics, metricsHandler, collectDefaultMetrics, domainEvents, ActiveUsers } from '@vigil/sdk';

collectDefaultMetrics();
const httpMetrics = new HttpMetrics({ routes: ['/users/:id', '/orders'] });
const events = domainEvents();
const active = new ActiveUsers({ windows: [300, 3600] });
const scrape = metricsHandler();

const server = http.createServer(
  httpMetrics.wrap((req, res) => {
    if (req.url === '/metrics') return scrape(req, res);
    const m = /^\/users\/(\d+)$/.exec(req.url ?? '');
    if (m) {
      active.seen(m[1]);
      res.setHeader('Content-Type', 'application/json');
      return res.end(JSON.stringify({ id: Number(m[1]) }));
    }
    if (req.url === '/orders' && req.method === 'POST') {
      events.record('order_placed');
      res.statusCode = 201;
      return res.end();
    }
    res.statusCode = 404;
    res.end('not found\n');
  }),
);
const port = Number(process.argv[2] ?? 3000);
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port} (metrics at /metrics)`));
process.on('SIGINT', () => server.close(() => process.exit(0)));
