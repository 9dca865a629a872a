// ESLint uses the config file nearest to each linted file, so the repository's `eslint .` reads
// this one for the demo. It is the repository's config plus the demo's own build output, which
// the root config's `dist/**` (relative to the root) does not cover.
import repository from '../../eslint.config.js';

export default [{ ignores: ['dist/**'] }, ...repository];
