// The configuration as /api/v2/status shows it: secrets replaced by "<secret>" (as Alertmanager
// prints them) and Vigil-only receiver kinds left out, so amtool can still parse it.
import { isMap, isPair, isScalar, parseDocument, visit, type Pair } from 'yaml';

const SECRET_KEYS = new Set([
  'smtp_auth_password', 'smtp_auth_secret', 'auth_password', 'auth_secret', 'slack_api_url', 'wechat_api_secret', 'api_secret',
  'opsgenie_api_key', 'victorops_api_key', 'api_key', 'service_key', 'routing_key', 'user_key', 'token', 'bot_token',
  'password', 'credentials', 'bearer_token', 'client_secret', 'webhook_url', 'secret',
]);
const VIGIL_ONLY = new Set(['dingtalk_configs', 'wecom_robot_configs', 'http_sender_configs']);

export function redactConfigText(text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length) return '';
  visit(doc, {
    Pair(_key, pair, path) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (VIGIL_ONLY.has(k)) return visit.REMOVE;
      const inSlack = path.some((n) => isPair(n) && isScalar((n as Pair).key) && String(((n as Pair).key as { value: unknown }).value) === 'slack_configs');
      if ((SECRET_KEYS.has(k) || (k === 'api_url' && inSlack)) && isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '') {
        pair.value.value = '<secret>';
      }
      return undefined;
    },
  });
  return isMap(doc.contents) || doc.contents === null ? doc.toString() : doc.toString();
}
