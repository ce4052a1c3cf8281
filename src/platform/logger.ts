import pino, { type Logger } from 'pino';

/**
 * The process logger. Anything that could carry personal data is redacted by path as a second
 * line of defence; the first is that RRNs only ever travel in request bodies, which are not logged.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.rrn',
        '*.*.rrn',
        'rrn',
        '*.phone',
        'phone',
        '*.sessionToken',
      ],
      censor: '[redacted]',
    },
  });
}
