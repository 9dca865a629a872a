/**
 * The time range: a relative choice (last 5m … 7d) or absolute from/to in local time. Values are
 * the URL's `from`/`to` strings (`now-1h`, epoch ms), so the page never holds a second copy.
 */
import { useEffect, useState } from 'react';
import { RELATIVE_RANGES, fromDatetimeLocal, parseTimeParam, toDatetimeLocal } from '../../time';

export interface TimeRangePickerProps {
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
}

export function TimeRangePicker({ from, to, onChange }: TimeRangePickerProps) {
  const relative = to === 'now' && RELATIVE_RANGES.some((r) => r.from === from);
  const [custom, setCustom] = useState(!relative);
  const now = Date.now();
  const [absFrom, setAbsFrom] = useState(() => toDatetimeLocal(parseTimeParam(from, now) ?? now - 3_600_000));
  const [absTo, setAbsTo] = useState(() => toDatetimeLocal(parseTimeParam(to, now) ?? now));
  const [invalid, setInvalid] = useState('');

  // Follow the URL (zoom, back/forward) into the inputs.
  useEffect(() => {
    const n = Date.now();
    setCustom(!(to === 'now' && RELATIVE_RANGES.some((r) => r.from === from)));
    setAbsFrom(toDatetimeLocal(parseTimeParam(from, n) ?? n - 3_600_000));
    setAbsTo(toDatetimeLocal(parseTimeParam(to, n) ?? n));
    setInvalid('');
  }, [from, to]);

  const apply = (): void => {
    const f = fromDatetimeLocal(absFrom);
    const t = fromDatetimeLocal(absTo);
    if (f === undefined || t === undefined) return setInvalid('Enter both times.');
    if (t <= f) return setInvalid('From must be before To.');
    setInvalid('');
    onChange(String(f), String(t));
  };

  return (
    <div className="explore-range-picker">
      <label className="explore-field">
        <span>Range</span>
        <select
          aria-label="Time range"
          value={custom ? 'custom' : from}
          onChange={(e) => {
            if (e.target.value === 'custom') setCustom(true);
            else {
              setCustom(false);
              onChange(e.target.value, 'now');
            }
          }}
        >
          {RELATIVE_RANGES.map((r) => (
            <option key={r.from} value={r.from}>
              {r.label}
            </option>
          ))}
          <option value="custom">Absolute…</option>
        </select>
      </label>
      {custom && (
        <form
          className="explore-abs-range"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <label className="explore-field">
            <span>From</span>
            <input type="datetime-local" step="1" aria-label="From (local time)" value={absFrom} onChange={(e) => setAbsFrom(e.target.value)} />
          </label>
          <label className="explore-field">
            <span>To</span>
            <input type="datetime-local" step="1" aria-label="To (local time)" value={absTo} onChange={(e) => setAbsTo(e.target.value)} />
          </label>
          <button type="submit">Apply</button>
          {invalid && (
            <span className="explore-field-error" role="alert">
              {invalid}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
