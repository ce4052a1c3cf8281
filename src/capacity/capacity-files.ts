/**
 * The capacity plan's inputs on disk: the load scenarios (data/scenarios/*.json) and the bench's
 * results files (CAPACITY_BENCH_FILES). Read when asked, so a new `npm run bench` shows at once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { err, type Result } from '../platform/result.ts';
import type { MeasuredCapacity } from './capacity-plan.ts';
import { measuredCapacityOf } from './bench-results.ts';
import { parsePlanScenario, type PlanScenario } from './scenario-demand.ts';

/** Scenarios in `dir`, the 2021-07-19 night first; a file that does not parse is left out. */
export function readScenarios(dir: string): PlanScenario[] {
  const out: PlanScenario[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const r = parsePlanScenario(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    if (r.ok) out.push(r.value);
  }
  return out;
}

/** The bench results in `files` (for each phase the last file that has it counts). */
export function readMeasured(files: readonly string[]): Result<MeasuredCapacity, 'incomplete-bench-results'> {
  const absent = files.filter((f) => !existsSync(f));
  if (absent.length > 0) return err('incomplete-bench-results', { missing: absent.map((f) => `the file ${f}`) });
  return measuredCapacityOf(files.map((file) => ({ json: JSON.parse(readFileSync(file, 'utf8')) as unknown, file })));
}
