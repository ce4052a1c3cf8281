/**
 * Builds the Fastify app from config and already-built services. It never listens (server.ts
 * does), so tests inject requests into the same app production runs.
 */
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import type { DatabaseAvailability } from '../db-availability.ts';
import { isDatabaseUnavailable } from '../db-errors.ts';
import { problemBody, sendProblem } from './errors.ts';
import { frameworkErrors, onClientError } from './framework-errors.ts';
import { validatorCompiler } from './validation.ts';
import { securityHeaders, securityHeadersHooks } from './security-headers.ts';
import { lazyChildLoggerFactory } from './request-logger.ts';
import { routeMetrics } from './route-metrics.ts';
import { trustedProxies } from './trusted-proxies.ts';

export interface AppPlugin {
  (app: FastifyInstance): Promise<void> | void;
}

export interface BuildAppOptions {
  logger: Logger;
  metrics: Metrics;
  /** Readiness: resolves quickly (never waits on a hung dependency) to whether requests can be served. */
  isReady(): Promise<boolean>;
  /** The database's availability: a request that met an unavailable database answers 503 and triggers a probe. */
  database?: Pick<DatabaseAvailability, 'reportFailure' | 'retryAfterSec'>;
  /** Route plugins of each capability, registered in order. */
  plugins: readonly AppPlugin[];
  /**
   * Whose X-Forwarded-For to believe (per-address limits): the edge proxies' addresses or CIDRs, so
   * `request.ip` is the client's address as the edge saw it. Default: nobody's.
   */
  trustProxy?: boolean | readonly string[];
  /** Signs cookies that need it (the operator console's CSRF secret). */
  cookieSecret: string;
  /** Reached over HTTPS (here or at an edge): send HSTS. */
  tlsEnabled?: boolean;
}

/**
 * What a log line says about a request: its method and the route it matched
 * (`/api/bookings/:bookingNumber`), never the URL, whose path and query string carry what a person
 * typed (booking numbers, birth dates, search filters).
 */
export function requestForLog(req: { method?: string; ip?: string; routeOptions?: { url?: string } }) {
  return { method: req.method, route: req.routeOptions?.url ?? null, remoteAddress: req.ip };
}

function trustProxyOption(t: BuildAppOptions['trustProxy']): boolean | ((address: string, hop: number) => boolean) {
  if (typeof t === 'boolean' || t === undefined) return t ?? false;
  return t.length > 0 ? trustedProxies(t) : false;
}

export async function buildApp(opts: BuildAppOptions) {
  const app = Fastify({
    // Request log lines name the route, never the URL (see requestForLog); Fastify's per-request
    // loggers keep a parent's serializers over their own.
    loggerInstance: opts.logger.child({}, { serializers: { req: requestForLog } }),
    // request.log is made when a request logs something, not for every request (request-logger.ts).
    childLoggerFactory: lazyChildLoggerFactory,
    trustProxy: trustProxyOption(opts.trustProxy),
    bodyLimit: 64 * 1024,
    // Errors Fastify and Node answer before any route runs (a bad or too long URL, oversized
    // headers) are problems like every other error, and never echo the URL.
    frameworkErrors,
    clientErrorHandler: onClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());

  // Every answer past the onRequest hooks gets its security headers, computed once: API routes the
  // API set, pages and assets helmet's page set, the not-found answer and every error the page set
  // when they have none yet; a refusal made in onRequest carries REFUSAL_HEADERS instead.
  const pageHeaders = securityHeadersHooks(securityHeaders({ tlsEnabled: opts.tlsEnabled ?? false }));
  app.addHook('onRoute', pageHeaders.onRoute);
  // Request durations by route, observed by a hook each route gets with its labels bound (route-metrics.ts).
  const durations = routeMetrics(opts.metrics.httpDuration);
  app.addHook('onRoute', durations.onRoute);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'yeyak API',
        version: '0.1.0',
        description: 'Vaccination pre-reservation: identity, eligibility, waiting room, booking.',
      },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Cookies are parsed after the onRequest hooks (preParsing): nothing reads them there, and a
  // request those hooks refuse (a per-address limit, the join budget, shedding) — which should cost
  // what a hello-world answer does — then never parses its Cookie header nor allocates for it.
  await app.register(cookie, { secret: opts.cookieSecret, hook: 'preParsing' });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    pageHeaders.onError(reply);
    if (error.validation) {
      const errors = error.validation.map((v) => ({
        field: `${error.validationContext ?? ''}${v.instancePath || ''}${(v.params as { missingProperty?: string })?.missingProperty ? `/${(v.params as { missingProperty: string }).missingProperty}` : ''}`,
        message: v.message ?? 'invalid',
      }));
      return sendProblem(reply, 'validation', { errors });
    }
    if (error.statusCode === 429) return sendProblem(reply, 'too-many-requests');
    if (error.code?.startsWith('FST_CSRF')) return sendProblem(reply, 'csrf');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Malformed JSON, wrong content type, body too large: the client's fault, said plainly.
      return reply
        .code(error.statusCode)
        .type('application/problem+json')
        .send({ ...problemBody('validation'), status: error.statusCode, detail: error.message });
    }
    if (isDatabaseUnavailable(error)) {
      // Expected during an outage and possibly thousands a second: the probe logs the outage once.
      request.log.debug({ err: error }, 'database unavailable');
      opts.database?.reportFailure(error);
      return sendProblem(
        reply.header('retry-after', String(opts.database?.retryAfterSec() ?? 1)),
        'database-unavailable',
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 'internal');
  });
  // The path is not echoed back: an answer never repeats what the client sent.
  app.setNotFoundHandler((request, reply) => {
    pageHeaders.onError(reply);
    const sent = sendProblem(reply, 'not-found');
    durations.notFound(request, reply);
    return sent;
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const ready = await opts.isReady().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready' });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });

  for (const plugin of opts.plugins) await app.register(async (scope) => plugin(scope));
  return app;
}
