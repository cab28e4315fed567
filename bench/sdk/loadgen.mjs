// Closed-loop HTTP load on loopback: `node loadgen.mjs <port> <ms> <concurrency>` prints
// {"rps":..,"p50Ms":..,"p99Ms":..}. Runs in its own process so it does not share the server's loop.
import http from 'node:http';

const [port, ms, conc] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const lat = [];
let stop = false;
let n = 0;
function one(i) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, path: '/api/items/' + (i % 1000), agent }, (res) => {
      res.resume();
      res.on('end', () => {
        lat.push(performance.now() - t0);
        resolve();
      });
    });
    req.on('error', () => resolve());
    req.end();
  });
}
async function loop(w) {
  let i = w;
  while (!stop) {
    await one(i);
    i += conc;
    n++;
  }
}
setTimeout(() => (stop = true), ms);
const t0 = performance.now();
await Promise.all(Array.from({ length: conc }, (_, w) => loop(w)));
const secs = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ rps: n / secs, p50Ms: lat[Math.floor(lat.length * 0.5)], p99Ms: lat[Math.floor(lat.length * 0.99)] }) + '\n');
agent.destroy();
