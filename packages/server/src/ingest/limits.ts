// Size and error-report limits shared by every push receiver.

export interface IngestLimits {
  /** Largest request body accepted as sent on the wire (bytes); 413 beyond it. */
  maxBodyBytes: number;
  /** Largest body after decompression (bytes); 413 beyond it. */
  maxDecompressedBytes: number;
  /** How many individual error messages a response names (the rest are counted). */
  maxReportedErrors: number;
}

export const DEFAULT_LIMITS: IngestLimits = {
  maxBodyBytes: 32 << 20,
  maxDecompressedBytes: 32 << 20,
  maxReportedErrors: 10,
};

export function resolveLimits(l?: Partial<IngestLimits>): IngestLimits {
  return { ...DEFAULT_LIMITS, ...l };
}
