/**
 * Semantic checks on a parsed selector that Loki performs at parse time.
 */
import type { LabelMatcher } from './ast.js';
import { matchValue } from './matcher.js';

/** Loki's wording (logqlmodel.ErrParseMatchers). */
export const EMPTY_SELECTOR_ERROR =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

/**
 * A selector must have at least one matcher that does not match the empty string, otherwise it
 * would select every stream (`{}`, `{a=""}`, `{a=~".*"}`, `{a!="x"}` alone are rejected).
 * A matcher on `level` counts: `{level="error"}` is a valid selector in LogSentinel.
 * Returns the error message, or undefined when the selector is valid.
 */
export function validateSelector(matchers: LabelMatcher[]): string | undefined {
  for (const m of matchers) {
    if (!matchValue(m.op, m.value, '')) return undefined;
  }
  return EMPTY_SELECTOR_ERROR;
}
