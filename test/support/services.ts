/**
 * Which real services this run may use. scripts/test.mjs probes Redis, PostgreSQL and
 * Chromium and lists the available ones in SWITCHBOARD_SERVICES; suites that need a missing
 * one do not run, and the script says so. In CI the script fails instead.
 */
export type Service = 'redis' | 'redis-server' | 'postgres' | 'chromium';

export function hasService(service: Service): boolean {
  return (process.env.SWITCHBOARD_SERVICES ?? '').split(',').includes(service);
}
