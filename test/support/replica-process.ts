/**
 * A gateway replica in its own OS process, for the cross-replica tests: built by
 * `createGateway` from the environment it is given (REDIS_URL, vendor URLs and credentials
 * pointing at the test's sandbox, the test's cache namespace in LIVE_NAMESPACE), served on
 * an ephemeral port with graphql-ws. Prints one JSON line `{ "url": … }` when ready; exits
 * cleanly on SIGTERM.
 */
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { resolveUpstreams } from '../../src/upstreams.ts';
import { TEST_API_KEY } from './credentials.ts';
import { serve } from './live.ts';
import { loadDemoConfig } from './demo-config.ts';

const config = loadDemoConfig(process.env);
const gateway = createGateway({
  config,
  upstreams: resolveUpstreams(config),
  logger: createLogger('silent'),
  cacheNamespace: process.env.LIVE_NAMESPACE,
  devApiKey: TEST_API_KEY,
});
await gateway.changes.ready?.();
const served = await serve(gateway);
process.stdout.write(`${JSON.stringify({ url: served.url })}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await served.close();
    await gateway.close();
    process.exit(0);
  })();
});
