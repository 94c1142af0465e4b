// `npm run certificates`: every certificate the proxies serve, with its expiry, and for a failing
// one the CA's reason and the next attempt. Exits 1 when any host has no valid certificate.
import { loadConfigOrExit } from '../config/load';
import { commonConfigSchema } from '../config/schemas';
import { connectDatabase } from '../db/client';
import { describeCertificate } from './status';
import { readCertificateRows } from './store';

const config = loadConfigOrExit(commonConfigSchema.pick({ COVE_DATABASE_URL: true }));
const database = connectDatabase(config.COVE_DATABASE_URL);
try {
  const rows = await readCertificateRows(database.db);
  const now = new Date();
  if (rows.length === 0)
    process.stdout.write('No certificates (is COVE_ACME_DIRECTORY_URL set for the builder?).\n');
  for (const row of rows.sort((a, b) => a.host.localeCompare(b.host))) {
    process.stdout.write(`${describeCertificate(row, now)}\n`);
  }
  if (rows.some((row) => row.notAfter === null || row.notAfter.getTime() <= now.getTime()))
    process.exitCode = 1;
} finally {
  await database.close();
}
