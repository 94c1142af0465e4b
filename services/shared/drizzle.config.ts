import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/shared/src/db/schema/index.ts',
  out: './migrations',
});
