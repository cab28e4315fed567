// /api/v1/status/* endpoints that describe the server itself (shapes as Prometheus's).
import os from 'node:os';
import { Router, apiSuccess } from '../web/router.js';
import { VERSION } from '../version.js';

export interface StatusSource {
  startTime: Date;
  flags: Record<string, string>;
  configText(): string;
  reloadConfigSuccess(): boolean;
  lastConfigTime(): Date;
  storageRetention: string;
  corruptionCount(): number;
}

export function registerStatusRoutes(router: Router, s: StatusSource): void {
  router.get('/api/v1/status/buildinfo', (_req, res) =>
    apiSuccess(res, {
      version: VERSION,
      revision: process.env.VIGIL_REVISION ?? '',
      branch: 'main',
      buildUser: 'vigil',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
    }),
  );
  router.get('/api/v1/status/config', (_req, res) => apiSuccess(res, { yaml: s.configText() }));
  router.get('/api/v1/status/flags', (_req, res) => apiSuccess(res, s.flags));
  router.get('/api/v1/status/runtimeinfo', (_req, res) =>
    apiSuccess(res, {
      startTime: s.startTime.toISOString(),
      CWD: process.cwd(),
      reloadConfigSuccess: s.reloadConfigSuccess(),
      lastConfigTime: s.lastConfigTime().toISOString(),
      corruptionCount: s.corruptionCount(),
      goroutineCount: 0,
      GOMAXPROCS: os.availableParallelism(),
      GOMEMLIMIT: 0,
      GOGC: '',
      GODEBUG: '',
      storageRetention: s.storageRetention,
    }),
  );
}
