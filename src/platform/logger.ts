import pino, { type Logger } from 'pino';

/**
 * The process logger. Anything that could carry personal data is redacted by path as a second
 * line of defence; the first is that RRNs only ever travel in request bodies, which are not logged.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.rrn', '*.*.rrn', 'rrn', '*.phone', 'phone', '*.sessionToken'],
      censor: '[redacted]',
    },
    serializers: { req: requestForLog },
  });
}

/**
 * What a log line says about a request: its method and the route it matched (`/api/bookings/:bookingNumber`),
 * never the URL, whose path and query string can carry what a person typed (booking numbers,
 * search filters). Fastify's own child loggers keep this serializer (a parent's wins over theirs).
 */
function requestForLog(req: { method?: string; ip?: string; routeOptions?: { url?: string } }) {
  return { method: req.method, route: req.routeOptions?.url ?? null, remoteAddress: req.ip };
}
