// Reading request bodies within limits, and decompressing them (gzip, deflate, snappy block).
import type { IncomingMessage } from 'node:http';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import { snappyUncompress, snappyUncompressedLength } from './snappy.js';

const gunzipP = promisify(gunzip);
const inflateP = promisify(inflate);

/** An error with the HTTP status a receiver should answer with. */
export class IngestHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'IngestHttpError';
  }
}

/** Reads the whole body; 413 as soon as it exceeds `limit` bytes (Content-Length checked first). */
export function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(raw.headers['content-length']);
  if (declared > limit) {
    raw.resume();
    return Promise.reject(new IngestHttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    let done = false;
    raw.on('data', (c: Buffer) => {
      if (done) return;
      n += c.length;
      if (n > limit) {
        done = true;
        chunks.length = 0;
        raw.resume();
        reject(new IngestHttpError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    raw.on('end', () => {
      if (!done) {
        done = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n));
      }
    });
    raw.on('error', (e) => {
      if (!done) {
        done = true;
        reject(new IngestHttpError(400, `reading request body: ${e.message}`));
      }
    });
  });
}

/** Decompresses by Content-Encoding (identity, gzip, x-gzip, deflate, snappy) within `limit` bytes. */
export async function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') {
    if (body.length > limit) throw new IngestHttpError(413, `request body of ${body.length} bytes exceeds the limit of ${limit} bytes`);
    return body;
  }
  if (enc === 'snappy') return snappyBlock(body, limit);
  if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate') {
    try {
      return await (enc === 'deflate' ? inflateP(body, { maxOutputLength: limit }) : gunzipP(body, { maxOutputLength: limit }));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new IngestHttpError(413, `decompressed body exceeds the limit of ${limit} bytes`);
      throw new IngestHttpError(400, `${enc} decompression failed: ${err.message}`);
    }
  }
  throw new IngestHttpError(415, `unsupported Content-Encoding ${JSON.stringify(encoding)}`);
}

/** Snappy block format (as remote_write uses); size checked from the header before decoding. */
export function snappyBlock(body: Uint8Array, limit: number): Buffer {
  let n: number;
  try {
    n = snappyUncompressedLength(body);
  } catch (e) {
    throw new IngestHttpError(400, `snappy: ${(e as Error).message}`);
  }
  if (n > limit) throw new IngestHttpError(413, `decompressed body of ${n} bytes exceeds the limit of ${limit} bytes`);
  try {
    return snappyUncompress(body);
  } catch (e) {
    throw new IngestHttpError(400, `snappy: ${(e as Error).message}`);
  }
}
