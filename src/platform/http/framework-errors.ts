/**
 * Answers for what goes wrong before a route runs. Fastify's own answers for these are plain JSON
 * (and its 414 and bad-URL bodies quote the URL back); here they are problem+json like every other
 * error, and never repeat what the client sent.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody } from './errors.ts';

/** The problem body for a status Fastify or Node chose (400 bad URL, 408, 414, 431, …). */
export function protocolProblem(status: number) {
  const words = STATUS_CODES[status] ?? 'Bad Request';
  return { ...problemBody('validation'), status, title: words, detail: words };
}

/** Fastify's `frameworkErrors`: a malformed URL component (400) or a path parameter over the length limit (414). */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  return reply.code(status).type('application/problem+json').send(protocolProblem(status));
}

/**
 * Node's `clientError` (the request could not even be parsed: headers over the size limit give
 * 431, a request that took too long 408, anything else 400). Written on the raw socket, as
 * Fastify's default handler does, then the connection is closed.
 */
export function onClientError(error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : error.code === 'HPE_URI_TOO_LONG'
          ? 414
          : 400;
  const body = JSON.stringify(protocolProblem(status));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
