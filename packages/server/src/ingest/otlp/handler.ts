// OTLP/HTTP metrics receiver: POST /api/v1/otlp/v1/metrics, protobuf or JSON, optionally gzip.
// Answers 200 with an ExportMetricsServiceResponse (in the request's encoding); rejected data
// points (delta temporality, exponential histograms, out-of-order samples...) are reported in
// partial_success. Undecodable bodies get 400, unsupported media types 415.
import type { ServerResponse } from 'node:http';
import type { Req } from '../../web/router.js';
import { IngestHttpError } from '../body.js';
import { countBatch, readDecoded, receiverHandler, withBatch, type ReceiverCtx } from '../receiver.js';
import { convertOtlp, type OtlpOptions, type OtlpOutcome } from './convert.js';
import { OtlpJsonError, decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProtobuf } from './decode-pb.js';
import { encodeOtlpResponse } from './encode-pb.js';
import type { OtlpRequest } from './model.js';

export function otlpHandler(ctx: ReceiverCtx, opts: () => OtlpOptions = () => ({})) {
  return receiverHandler(ctx, 'otlp', async (req: Req, res: ServerResponse) => {
    const ct = String(req.raw.headers['content-type'] ?? 'application/x-protobuf').split(';')[0]!.trim().toLowerCase();
    const json = ct === 'application/json';
    if (!json && ct !== 'application/x-protobuf' && ct !== 'application/protobuf') {
      throw new IngestHttpError(415, `unsupported content type ${JSON.stringify(ct)}: use application/x-protobuf or application/json`);
    }
    const body = await readDecoded(ctx, 'otlp', req);
    let decoded: OtlpRequest;
    try {
      decoded = json ? decodeOtlpJson(body.toString('utf8')) : decodeOtlpProtobuf(body);
    } catch (e) {
      if (e instanceof OtlpJsonError) throw new IngestHttpError(400, `invalid OTLP JSON: ${e.message}`);
      throw e;
    }
    let outcome: OtlpOutcome = { rejectedPoints: 0, skippedPoints: 0, messages: [] };
    const b = await withBatch(ctx, (b) => {
      outcome = convertOtlp(decoded, b, ctx.limits.maxReportedErrors, opts());
    });
    countBatch(ctx, 'otlp', b);
    const msgs = [...outcome.messages, ...b.errors].slice(0, ctx.limits.maxReportedErrors);
    ctx.stats.byReceiver.otlp.samplesRejected += outcome.skippedPoints;
    if (b.storageFull && !b.badData) throw new IngestHttpError(503, b.summary());
    const ps = { rejectedDataPoints: outcome.rejectedPoints, errorMessage: msgs.join('; ') };
    const payload: Buffer = json
      ? Buffer.from(JSON.stringify(ps.rejectedDataPoints > 0 || ps.errorMessage ? { partialSuccess: { rejectedDataPoints: String(ps.rejectedDataPoints), errorMessage: ps.errorMessage } } : {}))
      : Buffer.from(encodeOtlpResponse(ps));
    res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf', 'Content-Length': payload.length });
    res.end(payload);
  });
}
