// Locating Debian peers (prometheus, promtool, alertmanager, amtool, node_exporter, chromium) for
// tests. When a peer is missing: in CI (VIGIL_REQUIRE_PEERS=1) that is a failure; elsewhere the
// test is skipped with the apt-get line that installs it.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const PACKAGES: Record<string, { pkg: string; paths: string[] }> = {
  prometheus: { pkg: 'prometheus', paths: ['/usr/bin/prometheus'] },
  promtool: { pkg: 'prometheus', paths: ['/usr/bin/promtool'] },
  alertmanager: { pkg: 'prometheus-alertmanager', paths: ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'] },
  amtool: { pkg: 'prometheus-alertmanager', paths: ['/usr/bin/amtool'] },
  node_exporter: { pkg: 'prometheus-node-exporter', paths: ['/usr/bin/prometheus-node-exporter'] },
  'victoria-metrics': { pkg: 'victoria-metrics', paths: ['/usr/bin/victoria-metrics'] },
  chromium: { pkg: 'chromium', paths: ['/usr/bin/chromium'] },
};

export interface PeerLookup {
  path?: string;
  /** Reason to hand to test's `skip` option when the peer is absent outside CI. */
  skip?: string;
}

export function findPeer(name: keyof typeof PACKAGES | string): PeerLookup {
  const info = PACKAGES[name];
  for (const p of info?.paths ?? []) if (existsSync(p)) return { path: p };
  try {
    const p = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    if (p) return { path: p };
  } catch {
    /* not on PATH */
  }
  const msg = `${name} not found: install it with \`apt-get install ${info?.pkg ?? name}\``;
  if (process.env.VIGIL_REQUIRE_PEERS === '1') throw new Error(msg + ' (required in CI)');
  return { skip: msg };
}
