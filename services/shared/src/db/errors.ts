// Recognises Postgres errors the domain turns into messages (drizzle wraps the driver's error).

function violation(error: unknown, sqlState: string, constraint?: string): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ('code' in current && current.code === sqlState) {
      return constraint === undefined || ('constraint' in current && current.constraint === constraint);
    }
  }
  return false;
}

/** True when a unique constraint refused the row (SQLSTATE 23505), optionally a given constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return violation(error, '23505', constraint);
}

/** True when a foreign key refused the row (SQLSTATE 23503): what it refers to is gone. */
export function isForeignKeyViolation(error: unknown): boolean {
  return violation(error, '23503');
}
