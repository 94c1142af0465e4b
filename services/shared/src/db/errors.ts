// Recognises Postgres errors the domain turns into messages (drizzle wraps the driver's error).

/** True when a unique constraint refused the row (SQLSTATE 23505), optionally a given constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ('code' in current && current.code === '23505') {
      return constraint === undefined || ('constraint' in current && current.constraint === constraint);
    }
  }
  return false;
}
