/**
 * What `@defer` gives a frontend: W1 with its billing part (`billingCustomer` and its open
 * invoices) deferred, against the same query whole, on one gateway with every cache off (each
 * request makes all of its upstream calls) and the vendors at their realistic latencies. One
 * request at a time, the two alternating; the medians of: the whole query's answer, the
 * deferred query's first part (CRM and chat) and its last part (billing).
 */
import { forkChild } from './children.ts';
import { benchGatewayEnv } from './gateway-env.ts';
import type { SandboxReplyMsg } from './protocol.ts';
import { AUTH, BENCH_KEY, log } from './settings.ts';
import { W1_QUERY } from './workloads.ts';

export interface DeferFigures {
  runs: number;
  /** W1 whole: ms to its answer. */
  wholeMs: number;
  /** W1 with `@defer` on the billing part: ms to the first part and to the last. */
  firstPartMs: number;
  lastPartMs: number;
  errors: number;
}

export interface DeferOptions {
  vendors: Extract<SandboxReplyMsg, { type: 'ready' }>;
  script: string | URL;
  dataDir: string;
  runs: number;
}

/** W1 with the customer's fields in a deferred fragment. */
export const W1_DEFERRED = W1_QUERY.replace(/billingCustomer \{/, '... @defer(label: "billing") { billingCustomer {').replace(
  /(dueDate \}\s*\})/,
  '$1 }',
);

async function timeWhole(url: string): Promise<number | undefined> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...AUTH },
    body: JSON.stringify({ query: W1_QUERY }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  return response.ok && !body.errors ? performance.now() - started : undefined;
}

async function timeParts(url: string): Promise<{ first: number; last: number } | undefined> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed', ...AUTH },
    body: JSON.stringify({ query: W1_DEFERRED }),
  });
  if (!response.ok || !response.headers.get('content-type')?.startsWith('multipart/mixed')) return undefined;
  const decoder = new TextDecoder();
  let text = '';
  let first: number | undefined;
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += decoder.decode(chunk.value, { stream: true });
    if (first === undefined && /"hasNext":true/.test(text)) first = performance.now() - started;
  }
  const last = performance.now() - started;
  return first !== undefined && /"hasNext":false/.test(text) && !/"errors"/.test(text) ? { first, last } : undefined;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round1 = (value: number) => Math.round(value * 10) / 10;

export async function measureDefer(options: DeferOptions): Promise<DeferFigures> {
  const env = benchGatewayEnv({
    urls: options.vendors.urls,
    credentials: options.vendors.credentials,
    cache: 'cold',
    apiKey: BENCH_KEY,
    dataDir: options.dataDir,
  });
  const gateway = await forkChild<{ type: 'ready'; url: string }>(options.script, 'gateway (@defer, cold)', {
    env: { ...env, RESPONSE_CACHE: '0' },
  });
  try {
    const url = `${gateway.ready.url}/graphql`;
    const whole: number[] = [];
    const first: number[] = [];
    const last: number[] = [];
    let errors = 0;
    await timeWhole(url);
    await timeParts(url);
    for (let run = 0; run < options.runs; run++) {
      const plain = await timeWhole(url);
      const parts = await timeParts(url);
      if (plain === undefined || parts === undefined) errors++;
      if (plain !== undefined) whole.push(plain);
      if (parts) {
        first.push(parts.first);
        last.push(parts.last);
      }
    }
    return {
      runs: options.runs,
      wholeMs: round1(median(whole)),
      firstPartMs: round1(median(first)),
      lastPartMs: round1(median(last)),
      errors,
    };
  } finally {
    await gateway.stop();
  }
}

export function renderDefer(figures: DeferFigures, latencies: string): string {
  log(`@defer: W1 whole ${figures.wholeMs} ms; deferred first part ${figures.firstPartMs} ms, last ${figures.lastPartMs} ms`);
  return [
    `W1 cold (every cache off), one request at a time, ${figures.runs} runs each, vendors at ${latencies}; medians:`,
    '',
    '| W1 | first part | whole answer / last part |',
    '|---|---|---|',
    `| as one answer | — | ${figures.wholeMs} ms |`,
    `| billing part \`@defer\`red | ${figures.firstPartMs} ms | ${figures.lastPartMs} ms |`,
    '',
    figures.errors > 0 ? `${figures.errors} runs failed or answered with errors.` : 'No run failed.',
  ].join('\n');
}
