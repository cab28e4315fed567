// End-to-end with a real @grpc/grpc-js server and client on loopback (JSON-serialised messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { GrpcMetrics, Registry } from './index.js';

const require = createRequire(import.meta.url);
// Loosely typed: the SDK does not depend on grpc-js types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Grpc = Record<string, any>;
let grpc: Grpc | undefined;
try {
  grpc = require('@grpc/grpc-js') as Grpc;
} catch {
  grpc = undefined;
}

const ser = (v: unknown) => Buffer.from(JSON.stringify(v));
const de = (b: Buffer) => JSON.parse(b.toString()) as unknown;
const service = {
  GetUser: { path: '/acme.Users/GetUser', requestStream: false, responseStream: false, requestSerialize: ser, requestDeserialize: de, responseSerialize: ser, responseDeserialize: de, originalName: 'getUser' },
  ListUsers: { path: '/acme.Users/ListUsers', requestStream: false, responseStream: true, requestSerialize: ser, requestDeserialize: de, responseSerialize: ser, responseDeserialize: de, originalName: 'listUsers' },
};

test('gRPC server wrapper and client interceptor against @grpc/grpc-js', { skip: grpc ? false : '@grpc/grpc-js not installed' }, async () => {
  const g = grpc!;
  const r = new Registry();
  const m = new GrpcMetrics({ registry: r });
  const server = new g.Server();
  server.addService(
    service,
    m.wrapService(service, {
      // camelCase keys: found through the definition's originalName, as grpc-js does.
      getUser(call: { request: { id: number } }, cb: (e: unknown, v?: unknown) => void) {
        if (call.request.id < 0) cb({ code: g.status.NOT_FOUND, details: 'no such user' });
        else cb(null, { id: call.request.id, name: 'u' + call.request.id });
      },
      listUsers(call: { write(v: unknown): void; end(): void }) {
        for (let i = 0; i < 3; i++) call.write({ id: i });
        call.end();
      },
    }),
  );
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', g.ServerCredentials.createInsecure(), (e: Error | null, p: number) => (e ? rej(e) : res(p))));
  const Client = g.makeGenericClientConstructor(service, 'Users');
  const client = new Client(`127.0.0.1:${port}`, g.credentials.createInsecure(), { interceptors: [m.clientInterceptor(g as never)] });
  try {
    const got = await new Promise((res, rej) => client.GetUser({ id: 7 }, (e: Error | null, v: unknown) => (e ? rej(e) : res(v))));
    assert.deepEqual(got, { id: 7, name: 'u7' });
    await assert.rejects(new Promise((res, rej) => client.GetUser({ id: -1 }, (e: Error | null, v: unknown) => (e ? rej(e) : res(v)))), /no such user/);
    const items: unknown[] = [];
    await new Promise<void>((res, rej) => {
      const s = client.ListUsers({});
      s.on('data', (d: unknown) => items.push(d));
      s.on('end', () => res());
      s.on('error', rej);
    });
    assert.equal(items.length, 3);
    await new Promise((res) => setTimeout(res, 20));
    const text = await r.metrics();
    const L = (t: string, meth: string) => `grpc_type="${t}",grpc_service="acme.Users",grpc_method="${meth}"`;
    assert.match(text, new RegExp(`^grpc_server_handled_total\\{${L('unary', 'GetUser')},grpc_code="OK"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^grpc_server_handled_total\\{${L('unary', 'GetUser')},grpc_code="NotFound"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^grpc_server_handled_total\\{${L('server_stream', 'ListUsers')},grpc_code="OK"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^grpc_server_msg_sent_total\\{${L('server_stream', 'ListUsers')}\\} 3$`, 'm'));
    assert.match(text, new RegExp(`^grpc_server_started_total\\{${L('unary', 'GetUser')}\\} 2$`, 'm'));
    assert.match(text, new RegExp(`^grpc_client_handled_total\\{${L('unary', 'GetUser')},grpc_code="NotFound"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^grpc_client_handled_total\\{${L('server_stream', 'ListUsers')},grpc_code="OK"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^grpc_client_handling_seconds_count\\{${L('unary', 'GetUser')}\\} 2$`, 'm'));
  } finally {
    client.close();
    await new Promise<void>((res) => server.tryShutdown(() => res()));
  }
});
