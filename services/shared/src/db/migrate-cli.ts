// `npm run migrate`: applies migrations/ to COVE_DATABASE_URL.
import { z } from 'zod';
import { loadConfigOrExit } from '../config/load';
import { migrateDatabase } from './migrate';

const config = loadConfigOrExit(z.object({ COVE_DATABASE_URL: z.url() }));
await migrateDatabase(config.COVE_DATABASE_URL);
process.stdout.write('migrations applied\n');
