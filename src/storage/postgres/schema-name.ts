/** LogSentinel's schema names are interpolated into SQL, so they must be plain lower-case identifiers. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`cannot use schema ${JSON.stringify(schema)}: expected a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)`);
}
