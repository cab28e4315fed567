// Per-receiver counters, readable as a plain object (stats()) and as Prometheus series.

export interface ReceiverStats {
  requests: number;
  /** Requests answered with a 4xx/5xx status. */
  failedRequests: number;
  samplesAccepted: number;
  samplesRejected: number;
  exemplarsAccepted: number;
  exemplarsRejected: number;
  metadataReceived: number;
  bytesReceived: number;
}

export type ReceiverName = 'remote_write' | 'otlp' | 'influx' | 'vm_import' | 'prometheus_import';
export const RECEIVERS: readonly ReceiverName[] = ['remote_write', 'otlp', 'influx', 'vm_import', 'prometheus_import'];

export function emptyStats(): ReceiverStats {
  return { requests: 0, failedRequests: 0, samplesAccepted: 0, samplesRejected: 0, exemplarsAccepted: 0, exemplarsRejected: 0, metadataReceived: 0, bytesReceived: 0 };
}

export class IngestStats {
  readonly byReceiver: Record<ReceiverName, ReceiverStats> = {
    remote_write: emptyStats(),
    otlp: emptyStats(),
    influx: emptyStats(),
    vm_import: emptyStats(),
    prometheus_import: emptyStats(),
  };

  snapshot(): Record<ReceiverName, ReceiverStats> {
    const o = {} as Record<ReceiverName, ReceiverStats>;
    for (const r of RECEIVERS) o[r] = { ...this.byReceiver[r] };
    return o;
  }

  /** Prometheus text exposition of the counters (for Vigil's own /metrics). */
  exposition(): string {
    const fams: [string, keyof ReceiverStats, string][] = [
      ['vigil_ingest_requests_total', 'requests', 'Push requests received.'],
      ['vigil_ingest_failed_requests_total', 'failedRequests', 'Push requests answered with an error status.'],
      ['vigil_ingest_samples_accepted_total', 'samplesAccepted', 'Samples appended by push receivers.'],
      ['vigil_ingest_samples_rejected_total', 'samplesRejected', 'Samples rejected by push receivers (bad data, out of order, limits).'],
      ['vigil_ingest_exemplars_accepted_total', 'exemplarsAccepted', 'Exemplars appended by push receivers.'],
      ['vigil_ingest_exemplars_rejected_total', 'exemplarsRejected', 'Exemplars rejected by push receivers.'],
      ['vigil_ingest_metadata_received_total', 'metadataReceived', 'Metric metadata entries received.'],
      ['vigil_ingest_received_bytes_total', 'bytesReceived', 'Request body bytes received (as sent).'],
    ];
    let s = '';
    for (const [name, key, help] of fams) {
      s += `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
      for (const r of RECEIVERS) s += `${name}{receiver="${r}"} ${this.byReceiver[r][key]}\n`;
    }
    return s;
  }
}
