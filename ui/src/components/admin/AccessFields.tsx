/** Scopes, tenants and default tenant: the part of a user and a token that says what it may do. */
import { SCOPE_HELP, SCOPES } from '../auth/me';
import type { AccessForm } from './admin-model';

export function AccessFields({ idPrefix, value, onChange }: { idPrefix: string; value: AccessForm; onChange: (v: AccessForm) => void }) {
  const toggle = (s: string, on: boolean): void => onChange({ ...value, scopes: on ? [...value.scopes, s] : value.scopes.filter((x) => x !== s) });
  return (
    <>
      <fieldset className="scope-checks">
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s} title={SCOPE_HELP[s]}>
            <input type="checkbox" checked={value.scopes.includes(s)} onChange={(e) => toggle(s, e.target.checked)} /> <code>{s}</code>
            <span className="dim small"> {SCOPE_HELP[s]}</span>
          </label>
        ))}
      </fieldset>
      <div className="form-row">
        <label htmlFor={`${idPrefix}-tenants`}>Tenants</label>
        <input id={`${idPrefix}-tenants`} value={value.tenants} placeholder="team-a, team-b   or   *" onChange={(e) => onChange({ ...value, tenants: e.target.value })} spellCheck={false} />
        <span className="dim small">separated by commas; * = every tenant</span>
      </div>
      <div className="form-row">
        <label htmlFor={`${idPrefix}-default`}>Default tenant</label>
        <input id={`${idPrefix}-default`} value={value.defaultTenant} placeholder="the first tenant" onChange={(e) => onChange({ ...value, defaultTenant: e.target.value })} spellCheck={false} />
        <span className="dim small">used when a request names none</span>
      </div>
    </>
  );
}
