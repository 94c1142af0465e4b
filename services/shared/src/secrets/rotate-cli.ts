// `npm run rotate-master-key`: re-wraps every stored data key with COVE_MASTER_KEY (the new key),
// reading with COVE_PREVIOUS_MASTER_KEY (the old one). Start every Cove process with both first;
// once this reports nothing unreadable, drop COVE_PREVIOUS_MASTER_KEY.
import { loadConfigOrExit } from '../config/load';
import { commonConfigSchema } from '../config/schemas';
import { connectDatabase } from '../db/client';
import { masterKeyId } from './crypto';
import { rotateMasterKey } from './rotate';

const config = loadConfigOrExit(
  commonConfigSchema.pick({ COVE_DATABASE_URL: true, COVE_MASTER_KEY: true }).extend({
    // Required here: the key being replaced.
    COVE_PREVIOUS_MASTER_KEY: commonConfigSchema.shape.COVE_MASTER_KEY,
  }),
);
const database = connectDatabase(config.COVE_DATABASE_URL);
try {
  const result = await rotateMasterKey(database.db, {
    previous: config.COVE_PREVIOUS_MASTER_KEY,
    current: config.COVE_MASTER_KEY,
  });
  process.stdout.write(
    `Re-wrapped ${result.rewrapped} data keys with master key ${masterKeyId(config.COVE_MASTER_KEY)}; ${result.alreadyCurrent} already used it.\n`,
  );
  if (result.unreadable.length > 0) {
    process.stderr.write(
      `Neither key opens: ${result.unreadable.join(', ')}. Keep the previous key until resolved.\n`,
    );
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
