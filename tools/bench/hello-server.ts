/**
 * The floor a Node answer is compared with: Fastify 5, one route answering a small JSON object,
 * no hooks, no logging. `PORT` to listen on 127.0.0.1; prints "listening" when ready.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.stdout.write('listening\n');
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
