// Turns zod's issues into the one error shape the API answers with: a message and per-field
// messages that forms can show beside their inputs.
import type { z } from 'zod';
import { CoveError } from '../errors';

export function fieldMessages(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'body';
    fields[field] ??= issue.message;
  }
  return fields;
}

export function invalidInputError(error: z.ZodError): CoveError {
  const fields = fieldMessages(error);
  const summary = Object.entries(fields)
    .map(([field, message]) => (field === 'body' ? message : `${field}: ${message}`))
    .join(' ');
  return new CoveError('invalid_input', summary || 'The request is not valid.', { fields });
}

/** Parses input with a contract schema; a mismatch is a CoveError('invalid_input') with fields. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidInputError(result.error);
  return result.data;
}
