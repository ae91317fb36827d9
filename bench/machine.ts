/** The machine a run happened on, for the results file. */
import os from 'node:os';

export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews every figure. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: Math.round(os.loadavg()[0] * 10) / 10,
  };
}
