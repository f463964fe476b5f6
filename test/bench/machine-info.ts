/** The machine a bench ran on, reported with its numbers (they mean little without it). */
import os from 'node:os';
import type Docker from 'dockerode';
import type { MachineInfo } from './bench-report.js';

export async function machineInfo(docker: Docker): Promise<MachineInfo> {
  const version = await docker.version().catch(() => undefined);
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    ...(version ? { docker: version.Version } : {}),
  };
}
