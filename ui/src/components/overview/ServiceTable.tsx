/** Lines and errors by service, largest first, with bars; each service links to its logs. */
import { AppLink } from './AppLink';
import { barPercent, serviceLink, type Range, type ServiceRow } from './overview-model';
import { formatBytes, formatCount, formatPercent } from './format';

export function ServiceTable({ services, range }: { services: ServiceRow[]; range: Range }) {
  const maxLines = Math.max(0, ...services.map((s) => s.lines));
  const maxErrors = Math.max(0, ...services.map((s) => s.errors));
  return (
    <table className="data-table services-table" aria-label="Lines and errors by service">
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col" className="num">
            Lines
          </th>
          <th scope="col" className="bar-col" aria-label="Lines bar" />
          <th scope="col" className="num">
            Errors
          </th>
          <th scope="col" className="bar-col" aria-label="Errors bar" />
          <th scope="col" className="num">
            Bytes
          </th>
        </tr>
      </thead>
      <tbody>
        {services.map((s) => (
          <tr key={`${s.label}=${s.service}`}>
            <td>
              <AppLink to={serviceLink(s, range)} title={`Open ${s.selector} in Explore`}>
                {s.service}
              </AppLink>
              {s.label && s.label !== 'service' && <span className="dim"> ({s.label})</span>}
            </td>
            <td className="num">{formatCount(s.lines)}</td>
            <td className="bar-col">
              <span className="bar" style={{ width: `${barPercent(s.lines, maxLines)}%` }} />
            </td>
            <td className={`num${s.errors > 0 ? ' level-error' : ''}`}>
              {formatCount(s.errors)} <span className="dim">({formatPercent(s.errors, s.lines)})</span>
            </td>
            <td className="bar-col">
              <span className="bar bar-error" style={{ width: `${barPercent(s.errors, maxErrors)}%` }} />
            </td>
            <td className="num">{formatBytes(s.bytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
