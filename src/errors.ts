/**
 * The error catalogue: every error a user can see has a code and an HTTP status here.
 * Only the API error handler turns these into responses. Messages follow
 * `cannot <verb> <object>: <cause>` and name the offending input where that is safe.
 */
export const ERRORS = {
  BAD_REQUEST: { status: 400 },
  INVALID_PARAMETER: { status: 400 },
  LOGQL_PARSE: { status: 400 },
  LOGQL_UNSUPPORTED: { status: 400 },
  PUSH_INVALID: { status: 400 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  INVALID_TENANT: { status: 400 },
  /** No credential, or one that is unknown, revoked, expired or wrong (docs/specs/auth.md). */
  UNAUTHENTICATED: { status: 401 },
  /** A valid credential without the scope or tenant a request needs, or a missing CSRF token. */
  FORBIDDEN: { status: 403 },
  /** A user or token that exists already, or a change that would lock every admin out. */
  CONFLICT: { status: 409 },
  /** A per-tenant bound on stored objects is reached (`savedQueries.maxPerTenant`): delete some first. */
  LIMIT_REACHED: { status: 409 },
  RATE_LIMITED: { status: 429 },
  QUEUE_FULL: { status: 429 },
  QUERY_LIMIT: { status: 400 },
  QUERY_TIMEOUT: { status: 504 },
  /** One query needs more memory than `query.maxMemory`: the query's fault, so a 4xx. */
  QUERY_MEMORY: { status: 400 },
  /** Queries in line or in memory are at their bound (`query.maxQueued`, `query.maxTotalMemory`). */
  QUERY_OVERLOADED: { status: 429 },
  NOT_FOUND: { status: 404 },
  /** An endpoint this mode or configuration does not serve (the patterns API in cluster mode). */
  NOT_IMPLEMENTED: { status: 501 },
  INSUFFICIENT_STORAGE: { status: 507 },
  NOT_READY: { status: 503 },
  STORAGE_UNAVAILABLE: { status: 503 },
  // 503, not 507: OTLP exporters, Elasticsearch clients and most shippers retry 503 and would drop a 507.
  STORAGE_FULL: { status: 503 },
  INTERNAL: { status: 500 },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class LogSentinelError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfter?: number;
  /** Whether the operation may succeed if retried unchanged (storage/queue errors). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: { retryAfter?: number; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'LogSentinelError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.retryAfter = opts.retryAfter;
    this.retryable = opts.retryable ?? false;
  }
}

export function httpError(code: ErrorCode, message: string, opts?: { retryAfter?: number; retryable?: boolean; cause?: unknown }): LogSentinelError {
  return new LogSentinelError(code, message, opts);
}

/** A LogQL parse error with a 1-based line and column, printed as Loki does. */
export class LogQLParseError extends LogSentinelError {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super('LOGQL_PARSE', `parse error at line ${line}, col ${column}: ${message}`);
    this.name = 'LogQLParseError';
    this.line = line;
    this.column = column;
  }
}

export function bug(message: string): Error {
  return new Error('BUG: ' + message);
}
