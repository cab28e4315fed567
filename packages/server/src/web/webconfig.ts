// --web.config.file: Prometheus's exporter-toolkit web config (TLS, basic auth with bcrypt hashes,
// response headers), plus Vigil's `bearer_tokens` addition.
import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { CfgNode } from '../config/node.js';

export interface WebConfig {
  tls?: {
    cert: Buffer;
    key: Buffer;
    ca?: Buffer;
    clientAuth: 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';
    minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  };
  basicAuthUsers: Map<string, string>;
  bearerTokens: string[];
  headers: Record<string, string>;
}

const TLS_VERSIONS: Record<string, WebConfig['tls'] extends infer T ? (T extends { minVersion?: infer V } ? V : never) : never> = {
  TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3',
};

export function emptyWebConfig(): WebConfig {
  return { basicAuthUsers: new Map(), bearerTokens: [], headers: {} };
}

export function loadWebConfig(file: string): WebConfig {
  const text = readFileSync(file, 'utf8');
  const root = CfgNode.parse(text, file);
  root.allowOnly(['tls_server_config', 'basic_auth_users', 'http_server_config', 'bearer_tokens']);
  const rel = (p: string) => (p.startsWith('/') ? p : new URL(p, `file://${file.startsWith('/') ? file : process.cwd() + '/' + file}`).pathname);
  const cfg = emptyWebConfig();
  const tls = root.get('tls_server_config');
  if (!tls.isNull()) {
    tls.allowOnly(['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version', 'cipher_suites', 'curve_preferences', 'prefer_server_cipher_suites']);
    const certFile = tls.get('cert_file').str();
    const keyFile = tls.get('key_file').str();
    const read = (n: CfgNode, p: string) => {
      try {
        return readFileSync(rel(p));
      } catch (e) {
        throw n.error(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code}`);
      }
    };
    const clientAuth = tls.get('client_auth_type').str('NoClientCert');
    if (!['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'].includes(clientAuth)) {
      throw tls.get('client_auth_type').error(`invalid client_auth_type ${JSON.stringify(clientAuth)}`);
    }
    const mv = tls.get('min_version').optStr();
    if (mv !== undefined && !TLS_VERSIONS[mv]) throw tls.get('min_version').error(`unknown TLS version ${JSON.stringify(mv)}`);
    const caFile = tls.get('client_ca_file').optStr();
    cfg.tls = {
      cert: read(tls.get('cert_file'), certFile),
      key: read(tls.get('key_file'), keyFile),
      ca: caFile ? read(tls.get('client_ca_file'), caFile) : undefined,
      clientAuth: clientAuth as NonNullable<WebConfig['tls']>['clientAuth'],
      minVersion: mv ? TLS_VERSIONS[mv] : 'TLSv1.2',
    };
  }
  for (const [user, n] of root.get('basic_auth_users').entries()) {
    const hash = n.str();
    if (!/^\$2[abxy]?\$\d\d\$/.test(hash)) throw n.error('basic_auth_users values must be bcrypt hashes (e.g. from `htpasswd -nBC 10 "" | tr -d \':\\n\'`)');
    cfg.basicAuthUsers.set(user, hash);
  }
  cfg.bearerTokens = root.get('bearer_tokens').strList();
  const hs = root.get('http_server_config');
  hs.allowOnly(['headers', 'http2']);
  cfg.headers = hs.get('headers').strMap();
  return cfg;
}

/** Checks an Authorization header against the config; caches bcrypt results (bcrypt is slow by design). */
export class Authenticator {
  private cache = new Map<string, boolean>();
  constructor(private readonly cfg: WebConfig) {}

  get enabled(): boolean {
    return this.cfg.basicAuthUsers.size > 0 || this.cfg.bearerTokens.length > 0;
  }

  check(authorization: string | undefined): boolean {
    if (!this.enabled) return true;
    if (!authorization) return false;
    const sp = authorization.indexOf(' ');
    const scheme = authorization.slice(0, sp).toLowerCase();
    const cred = authorization.slice(sp + 1).trim();
    if (scheme === 'bearer') return this.cfg.bearerTokens.some((t) => safeEqual(t, cred));
    if (scheme !== 'basic') return false;
    const decoded = Buffer.from(cred, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon), pass = decoded.slice(colon + 1);
    const hash = this.cfg.basicAuthUsers.get(user);
    if (!hash) return false;
    const key = createHash('sha256').update(user + '\0' + pass + '\0' + hash).digest('hex');
    let ok = this.cache.get(key);
    if (ok === undefined) {
      ok = bcrypt.compareSync(pass, hash);
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(key, ok);
    }
    return ok;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
