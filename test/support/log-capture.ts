/** A pino logger whose lines a test can read (parsed JSON, in order). */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.ts';
import type { LogLevel } from '../../src/config.ts';

export interface LogLine {
  level: number;
  msg?: string;
  requestId?: string;
  operationName?: string;
  principalId?: string;
  [key: string]: unknown;
}

export interface CapturedLog {
  logger: Logger;
  lines: LogLine[];
  /** Lines carrying this request ID. */
  of(requestId: string): LogLine[];
  clear(): void;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function captureLog(level: LogLevel = 'info'): CapturedLog {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  // pino writes synchronously to a plain stream, so a line is readable as soon as it is logged.
  const logger = createLogger(level, sink);
  return { logger, lines, of: (requestId) => lines.filter((l) => l.requestId === requestId), clear: () => void lines.splice(0) };
}
