/** Tenant used when multi-tenancy is off or a request names none (Loki's `fake` is accepted too). */
export const DEFAULT_TENANT = 'default';

const TENANT_RE = /^[a-zA-Z0-9!\-_.*'()]{1,150}$/;

/** Loki's tenant id rules: up to 150 of `[a-zA-Z0-9!-_.*'()]`, not `.` or `..`. */
export function isValidTenant(t: string): boolean {
  return TENANT_RE.test(t) && t !== '.' && t !== '..';
}
