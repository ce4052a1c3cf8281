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
  keep: boolean;
  progress: boolean;
}
