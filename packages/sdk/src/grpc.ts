// gRPC metrics with go-grpc-prometheus names, for @grpc/grpc-js without depending on it:
// wrap a service implementation (server side) and add an interceptor (client side).
import { Counter } from './counter.js';
import { Histogram } from './histogram.js';
import { globalRegistry, type Registry } from './registry.js';

const CODES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted',
  'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
];
export function grpcCodeName(code: number | undefined): string {
  return CODES[code ?? 2] ?? String(code);
}

/** One method of a grpc-js ServiceDefinition. */
export interface MethodDefinitionLike {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
}
type Labels = { grpc_type: string; grpc_service: string; grpc_method: string };
type AnyFn = (...args: never[]) => unknown;
interface Emitter {
  on(ev: string, fn: (...a: unknown[]) => void): unknown;
  write?: (...a: unknown[]) => unknown;
}

function describe(def: MethodDefinitionLike): Labels {
  const [, service = 'unknown', method = 'unknown'] = /^\/?([^/]+)\/([^/]+)$/.exec(def.path) ?? [];
  const grpc_type = def.requestStream ? (def.responseStream ? 'bidi_stream' : 'client_stream') : def.responseStream ? 'server_stream' : 'unary';
  return { grpc_type, grpc_service: service, grpc_method: method };
}

export interface GrpcMetricsOptions {
  registry?: Registry;
  buckets?: number[];
}

export class GrpcMetrics {
  readonly serverStarted: Counter;
  readonly serverHandled: Counter;
  readonly serverHandling: Histogram;
  readonly serverMsgReceived: Counter;
  readonly serverMsgSent: Counter;
  readonly clientStarted: Counter;
  readonly clientHandled: Counter;
  readonly clientHandling: Histogram;

  constructor(opts: GrpcMetricsOptions = {}) {
    const registers = [opts.registry ?? globalRegistry];
    const l = ['grpc_type', 'grpc_service', 'grpc_method'];
    const buckets = opts.buckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    this.serverStarted = new Counter({ name: 'grpc_server_started_total', help: 'Total number of RPCs started on the server.', labelNames: l, registers });
    this.serverHandled = new Counter({ name: 'grpc_server_handled_total', help: 'Total number of RPCs completed on the server, regardless of success or failure.', labelNames: [...l, 'grpc_code'], registers });
    this.serverHandling = new Histogram({ name: 'grpc_server_handling_seconds', help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.', labelNames: l, buckets, registers });
    this.serverMsgReceived = new Counter({ name: 'grpc_server_msg_received_total', help: 'Total number of RPC stream messages received on the server.', labelNames: l, registers });
    this.serverMsgSent = new Counter({ name: 'grpc_server_msg_sent_total', help: 'Total number of gRPC stream messages sent by the server.', labelNames: l, registers });
    this.clientStarted = new Counter({ name: 'grpc_client_started_total', help: 'Total number of RPCs started on the client.', labelNames: l, registers });
    this.clientHandled = new Counter({ name: 'grpc_client_handled_total', help: 'Total number of RPCs completed by the client, regardless of success or failure.', labelNames: [...l, 'grpc_code'], registers });
    this.clientHandling = new Histogram({ name: 'grpc_client_handling_seconds', help: 'Histogram of response latency (seconds) of the gRPC until it is finished by the application.', labelNames: l, buckets, registers });
  }

  private finish(labels: Labels, t0: number, code: number | undefined, done: { v: boolean }): void {
    if (done.v) return;
    done.v = true;
    this.serverHandled.inc({ ...labels, grpc_code: grpcCodeName(code) });
    this.serverHandling.observe(labels, (performance.now() - t0) / 1000);
  }

  /** `server.addService(def, metrics.wrapService(def, impl))`: every handler is measured. */
  wrapService<I extends Record<string, AnyFn>>(definition: Record<string, MethodDefinitionLike>, impl: I): I {
    const out: Record<string, AnyFn> = { ...impl };
    for (const [name, def] of Object.entries(definition)) {
      // grpc-js looks handlers up by method name, then by the proto's originalName (camelCase).
      const original = (def as unknown as { originalName?: string }).originalName;
      const fn = impl[name] ?? (original !== undefined ? impl[original] : undefined);
      if (typeof fn !== 'function') continue;
      const labels = describe(def);
      const self = this;
      out[name] = function (this: unknown, call: Emitter, callback?: (err: unknown, ...rest: unknown[]) => void) {
        const t0 = performance.now();
        const done = { v: false };
        self.serverStarted.inc(labels);
        if (def.requestStream) call.on('data', () => self.serverMsgReceived.inc(labels));
        else self.serverMsgReceived.inc(labels);
        if (def.responseStream) {
          const w = call.write;
          if (typeof w === 'function') {
            call.write = function (this: unknown, ...a: unknown[]) {
              self.serverMsgSent.inc(labels);
              return w.apply(this, a);
            };
          }
          call.on('finish', () => self.finish(labels, t0, 0, done));
          call.on('error', (e) => self.finish(labels, t0, (e as { code?: number })?.code ?? 2, done));
          call.on('cancelled', () => self.finish(labels, t0, 1, done));
          return (fn as unknown as (c: unknown) => unknown).call(this, call);
        }
        const cb = (err: unknown, ...rest: unknown[]) => {
          if (!err) self.serverMsgSent.inc(labels);
          self.finish(labels, t0, err ? ((err as { code?: number }).code ?? 2) : 0, done);
          callback?.(err, ...rest);
        };
        try {
          return (fn as unknown as (c: unknown, cb: unknown) => unknown).call(this, call, cb);
        } catch (e) {
          self.finish(labels, t0, 2, done);
          throw e;
        }
      } as AnyFn;
    }
    return out as I;
  }

  /**
   * Client interceptor for grpc-js: `new Client(addr, creds, {interceptors: [m.clientInterceptor(grpc)]})`.
   * Pass the @grpc/grpc-js module so the SDK does not import it.
   */
  clientInterceptor(grpc: { InterceptingCall: new (next: unknown, requester?: unknown) => unknown }) {
    return (options: { method_definition: MethodDefinitionLike }, nextCall: (o: unknown) => unknown): unknown => {
      const labels = describe(options.method_definition);
      const t0 = performance.now();
      this.clientStarted.inc(labels);
      return new grpc.InterceptingCall(nextCall(options), {
        start: (metadata: unknown, listener: unknown, next: (m: unknown, l: unknown) => void) => {
          next(metadata, {
            onReceiveStatus: (status: { code?: number }, nextStatus: (s: unknown) => void) => {
              this.clientHandled.inc({ ...labels, grpc_code: grpcCodeName(status.code) });
              this.clientHandling.observe(labels, (performance.now() - t0) / 1000);
              nextStatus(status);
            },
          });
          void listener;
        },
      });
    };
  }
}
