/** The simulator's options once parsed and checked (cli.ts); the run modes read them. */
export interface CliOptions {
  scenario: string;
  mode: 'full' | 'live';
  scale: number;
  out: string;
  databaseUrl: string;
  redisUrl: string;
  maxWallMinutes: number;
  speedup: number;
  workers: number;
  bookingWorkers: number;
  /** Full mode: pin the admission rate (admissions/s); null: the AIMD controller adapts. */
  admissionRatePerSec: number | null;
  keep: boolean;
  progress: boolean;
  /** Full mode: enter the plan's turnover curve with its rate (false: `--no-planned-turnover`). */
  plannedTurnover: boolean;
  /** Full mode: rehearse until this many minutes after the opening and enter what it measured (null: no rehearsal). */
  rehearseMinutes: number | null;
}
