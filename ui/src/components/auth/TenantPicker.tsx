/**
 * The top bar's tenant: a select of the user's tenants, or — with every tenant (`*`), or without
 * authentication — a text field as before, suggesting the default (tenants.ts has the rules).
 */
import type { Me } from './me';
import { tenantPicker } from './tenants';

const LABEL = 'Tenant (X-Scope-OrgID)';

export function TenantPicker({ me, tenant, onChange }: { me: Me; tenant: string; onChange: (t: string) => void }) {
  const p = tenantPicker(me);
  return (
    <label className="tenant">
      <span>Tenant</span>
      {p.kind === 'list' ? (
        <select aria-label={LABEL} value={tenant || p.defaultTenant} onChange={(e) => onChange(e.target.value)}>
          {p.tenants.map((t) => (
            <option key={t} value={t}>
              {t === p.defaultTenant ? `${t} (default)` : t}
            </option>
          ))}
        </select>
      ) : (
        <>
          <input
            aria-label={LABEL}
            placeholder={p.defaultTenant}
            list="tenant-suggestions"
            defaultValue={tenant === p.defaultTenant && me.authEnabled ? '' : tenant}
            onBlur={(e) => onChange(e.target.value.trim())}
            onKeyDown={(e) => {
              if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
            }}
          />
          <datalist id="tenant-suggestions">
            {p.suggestions.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </>
      )}
    </label>
  );
}
