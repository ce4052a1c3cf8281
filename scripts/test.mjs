#!/usr/bin/env node
// Runs one test tier through node:test (via tsx), so CI reads node's closing counts.
//   unit:        *.test.ts          (pure domain, fake clock, in-memory stores)
//   integration: *.int.test.ts      (real Postgres and Redis)
//   e2e:         *.e2e.test.ts      (HTTP and browser)
// Usage: node scripts/test.mjs unit|integration|e2e [extra node --test flags]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const tier = process.argv[2];
const suffix = { unit: '.test.ts', integration: '.int.test.ts', e2e: '.e2e.test.ts' }[tier];
if (!suffix) {
  console.error('usage: node scripts/test.mjs unit|integration|e2e');
  process.exit(2);
}
const isOtherTier = (f) => tier === 'unit' && (f.endsWith('.int.test.ts') || f.endsWith('.e2e.test.ts'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(suffix) && !isOtherTier(p)) out.push(p);
  }
  return out;
}
const files = ['src', 'test', 'tools']
  .flatMap((d) => {
    try {
      return walk(d, []);
    } catch {
      return [];
    }
  })
  .sort();
if (files.length === 0) {
  console.error(`no ${tier} test files found`);
  process.exit(1);
}
// Integration tests share one Postgres and Redis; files run one at a time to keep the 2 cores honest.
const concurrency = tier === 'unit' ? [] : ['--test-concurrency=1'];
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', ...concurrency, ...process.argv.slice(3), ...files],
  {
    stdio: 'inherit',
    env: { ...process.env },
  },
);
process.exit(r.status ?? 1);
