/**
 * Fastify's per-request logger (`request.log`), made only when something is logged. Fastify asks
 * for a child logger per request (bound to its request id); a pino child of a logger with
 * redaction runs the redaction over its bindings and allocates a logger — a few µs on every
 * answer, including the front door's polls, refusals and joins, which at the service's log level
 * (warn in production) log nothing. This stands in for the child: a call at a level the parent
 * logs makes the real child once and passes the call on, so what a log line says is unchanged.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

type LogFn = (...args: unknown[]) => void;

class LazyRequestLogger {
  #real: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly bindingsOf: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** The pino child, made at the first call that logs. */
  real(): Logger {
    return (this.#real ??= this.parent.child(this.bindingsOf, this.options));
  }

  get level(): string {
    return this.#real?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#real ?? this.parent).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.real().child(bindings, options);
  }

  bindings(): Bindings {
    return this.real().bindings();
  }

  silent(): void {}
}

for (const level of LEVELS) {
  Object.defineProperty(LazyRequestLogger.prototype, level, {
    value: function log(this: LazyRequestLogger, ...args: unknown[]) {
      if (!this.isLevelEnabled(level)) return;
      (this.real()[level] as LogFn)(...args);
    },
  });
}

/** Fastify's `childLoggerFactory`: the request's logger, made lazily (see above). */
export function lazyChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger;
}
