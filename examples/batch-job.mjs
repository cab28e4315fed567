// A batch job that measures itself and pushes the result to Vigil's JSON import when done.
//   node examples/batch-job.mjs http://127.0.0.1:9090
import { Registry, Counter, Gauge, Histogram, instrumentAsync, pushToVigil } from '@vigil/sdk';

const registry = new Registry();
const rows = new Counter({ name: 'export_rows_total', help: 'Rows exported.', labelNames: ['table'], registers: [registry] });
const step = new Histogram({ name: 'export_step_duration_seconds', help: 'Step durations.', labelNames: ['step', 'result'], registers: [registry] });
const lastSuccess = new Gauge({ name: 'export_last_success_timestamp_seconds', help: 'When the job last succeeded.', registers: [registry] });

for (const table of ['users', 'orders']) {
  await instrumentAsync(async () => {
    await new Promise((r) => setTimeout(r, 20)); // the real work
    rows.inc({ table }, table === 'users' ? 1200 : 5400);
  }, step, { step: 'export_' + table });
}
lastSuccess.setToCurrentTime();

const url = process.argv[2];
if (url) {
  await pushToVigil({ url, registry, labels: { job: 'nightly-export' }, attempts: 5 });
  console.log('pushed to', url);
} else {
  process.stdout.write(await registry.metrics());
}
