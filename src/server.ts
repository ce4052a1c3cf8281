/**
 * Starts yeyak: config → database (+ migrations) → demo seed → app → listen, and the outbox
 * sender beside it. SIGTERM/SIGINT stop accepting requests, let in-flight ones finish, stop the
 * sender after its current round, and close the database. A fatal error (uncaught exception,
 * unhandled rejection) or a failed start exits with status 1 for the supervisor to restart.
 */
import { join } from 'node:path';
import { loadConfig, ConfigError } from './platform/config.ts';
import { systemClock } from './platform/clock.ts';
import { EmbeddedDatabaseUnreadable, migrate, openDatabase, serviceDatabaseOptions } from './platform/db.ts';
import { createLogger } from './platform/logger.ts';
import { exitOnFatalErrors } from './platform/fatal.ts';
import { composeApp } from './app/compose.ts';
import { seedDemo } from './app/seed.ts';
import { startOperations } from './app/operations.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  exitOnFatalErrors(log);
  const database = await openDatabase(
    serviceDatabaseOptions(config, join(config.dataDir, 'pglite'), (e) =>
      log.warn({ err: e }, 'database connection lost; the pool opens a new one'),
    ),
  ).catch((e: unknown) => {
    if (!(e instanceof EmbeddedDatabaseUnreadable)) throw e;
    console.error(e.message);
    process.exit(2);
  });
  const applied = await migrate(database);
  log.info({ engine: database.engine, applied }, 'database ready');
  const { app, services } = await composeApp({ config, clock: systemClock, logger: log, database });
  if (config.seedDemo)
    await seedDemo({ db: database.db, config, clock: systemClock, campaigns: services.campaigns, log });
  await services.waitingRoom.syncRooms();
  const stopSender = services.outboxSender.start(config.outboxPollMs, (e) =>
    log.error({ err: e }, 'outbox round failed'),
  );
  const stopQueue = services.waitingRoom.start(() => services.monitor.health(), log);
  const stopOperations = startOperations(services, config, log);
  await app.listen({ host: config.host, port: config.port });
  log.info(`yeyak is up: citizen site http://${config.host}:${config.port}/  console /console/  API docs /docs`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    stopOperations();
    await stopQueue();
    await app.close();
    await stopSender();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
