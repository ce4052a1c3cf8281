/**
 * Registers a synthetic population of the size given on the command line in the configured
 * database (DATABASE_URL, or the embedded PGlite in DATA_DIR). RRNs are hashed, never stored.
 *   npm run population -- --size 1500000 [--seed 2021] [--born 1967-01-01..1968-12-31]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../src/platform/config.ts';
import { migrate, openDatabase } from '../src/platform/db.ts';
import { registerPopulation } from '../src/synthetic/register-population.ts';
import { DEMO_POPULATION_SEED } from '../src/app/seed.ts';

const { values } = parseArgs({
  options: { size: { type: 'string' }, seed: { type: 'string' }, born: { type: 'string' } },
});
const size = Number(values.size);
if (!Number.isSafeInteger(size) || size < 1) {
  console.error('usage: npm run population -- --size N [--seed S] [--born YYYY-MM-DD..YYYY-MM-DD]');
  process.exit(2);
}
const [bornFrom, bornTo] = values.born?.split('..') ?? [];
const config = loadConfig();
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  pgliteDir: join(config.dataDir, 'pglite'),
  poolSize: 4,
});
await migrate(database);
const bar = new SingleBar(
  { format: 'people {bar} {value}/{total} ({percentage}%) eta {eta}s' },
  Presets.shades_classic,
);
const started = Date.now();
bar.start(size, 0);
const inserted = await registerPopulation(
  database.db,
  config.identityHmacKey,
  {
    size,
    seed: values.seed ? Number(values.seed) : DEMO_POPULATION_SEED,
    ...(bornFrom ? { bornFrom } : {}),
    ...(bornTo ? { bornTo } : {}),
  },
  (done) => bar.update(done),
);
bar.stop();
console.log(
  `${inserted} new people registered (${size - inserted} already there) on ${database.engine} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
await database.close();
