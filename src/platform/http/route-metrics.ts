/**
 * `http_request_duration_seconds` by method, route and status, observed by an onResponse hook each
 * route gets when it is registered, with its route label bound then: a hook for every request at
 * the root read `request.routeOptions` (a getter that builds a dozen-field object per call) and
 * ran as a promise, on every answer the front door gives.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';

type Labels = 'method' | 'route' | 'status';
type Observe = (request: FastifyRequest, reply: FastifyReply) => void;

/** The route label of the not-found answer (no route matched). */
export const UNMATCHED_ROUTE = 'unmatched';

function observerFor(histogram: Histogram<Labels>, route: string): Observe {
  return (request, reply) => {
    histogram.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  };
}

type RouteHook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/**
 * `onRoute`: an onRoute hook (add it before any route is registered) giving each route its
 * onResponse observer; `notFound`: the observer the not-found handler calls itself (Fastify's
 * not-found answer is not a route, so onRoute never sees it).
 */
export function routeMetrics(histogram: Histogram<Labels>) {
  return {
    onRoute(route: { url: string; onResponse?: RouteHook | RouteHook[] }) {
      const observe = observerFor(histogram, route.url);
      const hook: RouteHook = (request, reply, done) => {
        observe(request, reply);
        done();
      };
      route.onResponse = route.onResponse ? [...[route.onResponse].flat(), hook] : [hook];
    },
    notFound: observerFor(histogram, UNMATCHED_ROUTE),
  };
}
