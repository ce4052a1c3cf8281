// Worker threads do not inherit tsx's loader from the thread that starts them: register it here,
// then load the TypeScript worker (see booking-workers.ts).
import { register } from 'tsx/esm/api';

register();
await import('./booking-worker.ts');
