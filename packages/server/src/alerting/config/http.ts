// prometheus/common http_config: the subset Vigil honours, the rest accepted.
import type { CfgNode } from '../../config/node.js';
import type { HttpClientConfig } from './types.js';

const HTTP_KEYS = [
  'basic_auth', 'authorization', 'oauth2', 'bearer_token', 'bearer_token_file', 'tls_config', 'proxy_url',
  'no_proxy', 'proxy_from_environment', 'proxy_connect_header', 'follow_redirects', 'enable_http2',
];
const TLS_KEYS = ['ca', 'ca_file', 'cert', 'cert_file', 'key', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version', 'max_version'];

export function defaultHttpConfig(): HttpClientConfig {
  return { tls: { insecureSkipVerify: false }, followRedirects: true };
}

export function parseTls(n: CfgNode): HttpClientConfig['tls'] {
  n.allowOnly(TLS_KEYS);
  return {
    insecureSkipVerify: n.get('insecure_skip_verify').bool(false),
    caFile: n.get('ca_file').optStr(),
    certFile: n.get('cert_file').optStr(),
    keyFile: n.get('key_file').optStr(),
    serverName: n.get('server_name').optStr(),
  };
}

export function parseHttpConfig(n: CfgNode, def: HttpClientConfig): HttpClientConfig {
  if (n.isNull()) return def;
  n.allowOnly(HTTP_KEYS);
  const c: HttpClientConfig = { tls: parseTls(n.get('tls_config')), followRedirects: n.get('follow_redirects').bool(true) };
  const ba = n.get('basic_auth');
  if (!ba.isNull()) {
    ba.allowOnly(['username', 'password', 'password_file', 'username_file']);
    c.basicAuth = { username: ba.get('username').str(''), password: ba.get('password').optStr(), passwordFile: ba.get('password_file').optStr() };
    if (c.basicAuth.password && c.basicAuth.passwordFile) throw ba.error('at most one of basic_auth password & password_file must be configured');
  }
  const au = n.get('authorization');
  if (!au.isNull()) {
    au.allowOnly(['type', 'credentials', 'credentials_file']);
    c.authorization = { type: au.get('type').str('Bearer'), credentials: au.get('credentials').optStr(), credentialsFile: au.get('credentials_file').optStr() };
    if (c.authorization.type.toLowerCase() === 'basic') throw au.error(`authorization type cannot be set to "basic", use "basic_auth" instead`);
  }
  c.bearerToken = n.get('bearer_token').optStr();
  c.bearerTokenFile = n.get('bearer_token_file').optStr();
  const modes = [c.basicAuth, c.authorization, c.bearerToken, c.bearerTokenFile, n.has('oauth2') || undefined].filter((x) => x !== undefined);
  if (modes.length > 1) throw n.error('at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
  c.proxyUrl = n.get('proxy_url').optStr();
  return c;
}
