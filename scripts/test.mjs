#!/usr/bin/env node
// Runs the vitest suite and ends with the plain line CI reads: `N passed, N failed`.
// Suites that need Redis, PostgreSQL or Chromium run only where those exist; with
// SWITCHBOARD_REQUIRE_SERVICES=1 (set by .ci/run) a missing one fails the run instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';

const services = [
  { name: 'redis', label: 'Redis at 127.0.0.1:6379', probe: () => tcp(6379) },
  { name: 'postgres', label: 'PostgreSQL at 127.0.0.1:5432', probe: () => tcp(5432) },
  {
    // The soak starts, kills and restarts a Redis server of its own, so it needs the binary, not just a running server.
    name: 'redis-server',
    label: 'the redis-server program on PATH',
    probe: async () => spawnSync(process.env.REDIS_SERVER ?? 'redis-server', ['--version']).status === 0,
  },
  {
    name: 'chromium',
    label: 'Chromium at /usr/bin/chromium',
    probe: async () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
  },
];

function tcp(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const required = process.env.SWITCHBOARD_REQUIRE_SERVICES === '1';
const available = [];
const missing = [];
for (const s of services) ((await s.probe()) ? available : missing).push(s);

if (missing.length > 0 && required) {
  for (const s of missing) console.error(`required service missing: ${s.label}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const report = '.vitest-report.json';
rmSync(report, { force: true });
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, SWITCHBOARD_SERVICES: available.map((s) => s.name).join(',') } },
);

for (const s of missing) {
  console.log(`not run: the ${s.name} suites (${s.label} is not available on this machine)`);
}

let passed = 0;
let failed = 1;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  // A suite that failed to load counts as a failure even though no test inside it ran.
  // A suite whose setup failed marks its tests skipped, not failed: count the suite itself.
  failed =
    json.numFailedTests +
    (json.testResults ?? []).filter((r) => r.status === 'failed' && !r.assertionResults.some((a) => a.status === 'failed')).length;
  if (json.numTotalTests === 0) failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(result.status === 0 && failed === 0 ? 0 : 1);
