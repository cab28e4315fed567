// The `otlp:` section of prometheus.yml (Prometheus 3), validated.
import type { CfgNode } from '../../config/node.js';
import type { OtlpOptions } from './convert.js';

export function parseOtlpConfig(n: CfgNode): OtlpOptions {
  n.allowOnly(['promote_resource_attributes', 'translation_strategy', 'keep_identifying_resource_attributes', 'convert_histograms_to_nhcb']);
  const ts = n.get('translation_strategy').str('UnderscoreEscapingWithSuffixes');
  if (ts !== 'UnderscoreEscapingWithSuffixes') {
    throw n.get('translation_strategy').error(`translation strategy ${JSON.stringify(ts)} is not supported by Vigil (only UnderscoreEscapingWithSuffixes)`);
  }
  if (n.get('convert_histograms_to_nhcb').bool(false)) throw n.get('convert_histograms_to_nhcb').error('native histograms are not supported by Vigil');
  const promote: string[] = [];
  for (const item of n.get('promote_resource_attributes').items()) {
    const a = item.str().trim();
    if (a === '') throw item.error('empty promoted OTel resource attribute');
    if (promote.includes(a)) throw item.error(`duplicated promoted OTel resource attribute ${JSON.stringify(a)}`);
    promote.push(a);
  }
  return { promoteResourceAttributes: promote, keepIdentifyingResourceAttributes: n.get('keep_identifying_resource_attributes').bool(false) };
}
