/**
 * Every error a caller of the demo API can see: its code (also the `error_type` label of
 * `app_error_count` and the `error_type` field of the log line), HTTP status and log level.
 * The set is closed so the metric's label values stay few. Only the error handler in app.ts turns
 * these into responses.
 */

export const ERROR_CATALOGUE = {
  /** The simulated database failed (2% of GET /api/users). */
  database_error: { status: 500, level: 'error', message: 'cannot query users: database connection reset (simulated)' },
  /** GET /api/error?type=client. */
  client_error: { status: 400, level: 'warn', message: 'cannot serve request: simulated client error (type=client)' },
  /** GET /api/error with any other type. */
  server_error: { status: 500, level: 'error', message: 'cannot serve request: simulated server error' },
  /** The request itself is malformed: bad JSON, wrong content type, body too large. */
  invalid_request: { status: 400, level: 'warn', message: 'cannot parse request' },
  /** No route matches. */
  not_found: { status: 404, level: 'info', message: 'cannot find route' },
  /** Anything unexpected: a bug in the demo. */
  internal_error: { status: 500, level: 'error', message: 'cannot serve request: internal error' },
} as const satisfies Record<string, { status: number; level: 'info' | 'warn' | 'error'; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error with a catalogue code; `status` may narrow a 4xx (a 413 or 415 for `invalid_request`). */
export class DemoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, opts: { message?: string; status?: number; cause?: unknown } = {}) {
    super(opts.message ?? ERROR_CATALOGUE[code].message, { cause: opts.cause });
    this.name = 'DemoError';
    this.code = code;
    this.status = opts.status ?? ERROR_CATALOGUE[code].status;
  }
}
