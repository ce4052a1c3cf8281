/**
 * A fatal error (an exception nothing caught, a rejection nothing handled) leaves the process in a
 * state no one can vouch for: log it once and exit with status 1, so the supervisor (systemd,
 * Kubernetes, src/cluster.ts) starts a fresh process. Nothing is lost by exiting: a booking is a
 * committed transaction or nothing, and the outbox resends what was not marked sent.
 */
import type { Logger } from 'pino';

export const FATAL_EXIT_CODE = 1;

export function exitOnFatalErrors(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  const die = (kind: string) => (e: unknown) => {
    log.fatal({ err: e, kind }, 'fatal error: exiting so the supervisor restarts this process');
    exit(FATAL_EXIT_CODE);
  };
  process.on('uncaughtException', die('uncaught-exception'));
  process.on('unhandledRejection', die('unhandled-rejection'));
}
