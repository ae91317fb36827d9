/**
 * One load run with autocannon's programmatic API (in the driver process, apart from the
 * gateway and the sandbox). Each request's body comes from `next()`, so workloads can
 * rotate variables; a response that is not 200 or carries GraphQL `errors` counts as an
 * error, and the first one is kept to show what went wrong.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** The body of the next request; bodies cycle through whatever it returns. */
  next: () => string;
}

export interface LoadResult {
  /** Completed within the run. */
  requests: number;
  /** Sent, including those still in flight when the run ended. */
  sent: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  errors: number;
  firstError?: string;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let errors = 0;
  let firstError: string | undefined;
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...options.headers },
    connections: options.connections,
    duration: options.durationS,
    timeout: 60,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: options.next() }),
        onResponse: (status, responseBody) => {
          if (status !== 200 || responseBody.includes('"errors"')) {
            errors++;
            firstError ??= `${status} ${responseBody.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  errors += result.errors + result.timeouts;
  return {
    requests: result.requests.total,
    sent: (result.requests as { sent?: number }).sent ?? result.requests.total,
    rps: Math.round((result.requests.total / result.duration) * 10) / 10,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    errors,
    firstError,
  };
}
