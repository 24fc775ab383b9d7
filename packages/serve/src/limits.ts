import { z } from 'zod';

/** What one server accepts; each limit's refusal has its own HTTP status (see the README). */
export const serveLimitsSchema = z.strictObject({
  /** Largest request body, JSON or multipart (413 above it). */
  bodyBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Largest image, in pixels, read from its header before decoding (413 above it). */
  imagePixels: z
    .number()
    .int()
    .positive()
    .default(4096 * 4096),
  /** Longest audio clip, in seconds: read from the header, and decoders stop at it (422 above it). */
  audioSeconds: z.number().positive().default(30),
  /** Predictions run at once; more wait in the queue. */
  concurrency: z.number().int().positive().default(2),
  /**
   * Requests admitted beyond those running (reading their body or waiting for a slot); one more is
   * refused with 503 and Retry-After before its body is read.
   */
  queue: z.number().int().min(0).default(16),
  /** Time a request may take to arrive (408), wait and run before it is answered 504. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Records one batch request may hold. */
  batchRecords: z.number().int().positive().default(64),
});

export type ServeLimits = z.output<typeof serveLimitsSchema>;
export type ServeLimitsInput = z.input<typeof serveLimitsSchema>;
