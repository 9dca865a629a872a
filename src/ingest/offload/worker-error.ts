/** Decoder errors across the worker boundary: the catalogue's errors keep their class and fields. */
import { LogSentinelError, type ErrorCode } from '../../errors.js';
import { EsBulkRequestError } from '../elasticsearch-bulk.js';

export interface SerializedError {
  message: string;
  code?: ErrorCode;
  retryAfter?: number;
  esType?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof EsBulkRequestError) return { message: err.message, code: err.code, esType: err.esType };
  if (err instanceof LogSentinelError) return { message: err.message, code: err.code, retryAfter: err.retryAfter };
  return { message: err instanceof Error ? err.message : String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.esType !== undefined) return new EsBulkRequestError(e.esType, e.message);
  if (e.code !== undefined) return new LogSentinelError(e.code, e.message, { retryAfter: e.retryAfter });
  return new Error(`decode worker: ${e.message}`);
}
