/**
 * Checks that every active booking of a campaign came through the queue: it names an admission the
 * waiting room recorded, for the same campaign and the identity that made the request — or the
 * phone-lane admission a call-centre agent recorded for that caller (agent_admissions), the agent
 * record that takes the place of a queue admission. Prints each booking that fails
 * and why; exits 1 if there is any (so a scheduled job can alert), 0 otherwise.
 *   npm run audit -- --campaign 2021-08-18-49
 * Reads the configured database (DATABASE_URL, or the embedded PGlite in DATA_DIR).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db.ts';
import { countActiveBookings, unaccountedBookings } from '../src/audit/audit.repository.ts';

const { values } = parseArgs({ options: { campaign: { type: 'string' } } });
if (!values.campaign) {
  console.error('usage: npm run audit -- --campaign ID');
  process.exit(2);
}
const config = loadConfig();
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  pgliteDir: join(config.dataDir, 'pglite'),
  poolSize: 2,
});
try {
  const active = await countActiveBookings(database.db, values.campaign);
  const found = await unaccountedBookings(database.db, values.campaign);
  console.log(
    `campaign ${values.campaign}: ${active} active bookings checked, ${found.length} without an admission or agent record`,
  );
  for (const b of found) {
    console.log(
      `  ${b.bookingNumber}  created ${new Date(b.createdAtMs).toISOString()}  admission ${b.admissionId ?? '-'}  ${b.reason}`,
    );
  }
  process.exitCode = found.length > 0 ? 1 : 0;
} finally {
  await database.close();
}
