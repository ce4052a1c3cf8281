/**
 * Prints a few people of the demo population (synthetic, generated from the same seed the server
 * uses) so you can verify as one of them in the demo. These numbers are made up; the server only
 * keeps their keyed hash. Usage: npm run demo:people [-- --count 5] [-- --born 1967-01-01..1968-12-31]
 */
import { parseArgs } from 'node:util';
import { generatePopulation } from '../src/synthetic/population.ts';
import { DEMO_POPULATION_SEED } from '../src/app/seed.ts';
import { loadConfig } from '../src/platform/config.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '5' }, born: { type: 'string' } } });
const count = Number(values.count);
const [from, to] = values.born?.split('..') ?? [];
const size = loadConfig().demoPopulation;
let shown = 0;
console.log('Synthetic demo people (not real numbers):');
for (const p of generatePopulation({ size, seed: DEMO_POPULATION_SEED })) {
  if (from && p.birthDate < from) continue;
  if (to && p.birthDate > to) continue;
  console.log(`  ${p.rrn}  ${p.name}  born ${p.birthDate}`);
  if (++shown >= count) break;
}
