import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBenchReport, reportLines, type MachineInfo } from '../bench/bench-report.js';
import { targetLines, targetRows } from '../bench/bench-targets.js';

const machine: MachineInfo = { cpus: 2, cpuModel: 'test cpu', memoryGiB: 8, os: 'Linux', node: 'v20' };
const load = { load1mStart: 1, load1mEnd: 2 };
const MIB = 1024 * 1024;

const full = buildBenchReport({
  latency: {
    airlockMs: [100, 120, 140],
    dockerRunMs: [400, 500, 600],
    beforeSandboxMs: [30, 40, 50],
    orchestrationMs: [60, 70, 80],
    strong: { airlockMs: [200], dockerRunMs: [800] },
    load,
  },
  throughput: { runsPerRound: 100, concurrency: 8, airlockRoundMs: [10_000, 10_000], dockerRunRoundMs: [20_000, 30_000], load },
  parked: {
    runs: 10_000,
    workerRssBytesBefore: 200 * MIB,
    workerRssBytesAfter: 600 * MIB,
    approveToResultMs: [300, 400, 500],
    parkMs: 100_000,
    load,
  },
  riskScoring: { p95Ms: 3 },
  machine,
});

describe('bench report', () => {
  it('has every key the issue asks for, with the numbers of the samples', () => {
    assert.equal(full.runs, 3);
    assert.equal(full.airlockP50Ms, 120);
    assert.equal(full.dockerRunP50Ms, 500);
    assert.equal(full.ratioP50, 0.24);
    assert.equal(full.overheadP50Ms, 40);
    assert.deepEqual(
      { airlockP50Ms: full.strong?.airlockP50Ms, dockerRunP50Ms: full.strong?.dockerRunP50Ms, ratioP50: full.strong?.ratioP50 },
      { airlockP50Ms: 200, dockerRunP50Ms: 800, ratioP50: 0.25 },
    );
    // 200 runs in 20 s against 200 in 50 s.
    assert.deepEqual(
      { c: full.throughput?.concurrency, a: full.throughput?.airlockPerS, d: full.throughput?.dockerRunPerS, r: full.throughput?.ratio },
      { c: 8, a: 10, d: 4, r: 2.5 },
    );
    assert.deepEqual(
      { runs: full.parked?.runs, before: full.parked?.workerRssMbBefore, after: full.parked?.workerRssMbAfter, p50: full.parked?.approveToResultP50Ms },
      { runs: 10_000, before: 200, after: 600, p50: 400 },
    );
    assert.deepEqual(full.riskScoring, { p95Ms: 3 });
    // What a script reading the last line gets back.
    assert.deepEqual(JSON.parse(JSON.stringify(full)), full);
  });

  it('keeps the keys of suites that did not run, as null rather than invented numbers', () => {
    const only = buildBenchReport({ riskScoring: {}, machine });
    for (const key of ['runs', 'airlockP50Ms', 'dockerRunP50Ms', 'ratioP50', 'overheadP50Ms', 'strong', 'throughput', 'parked'] as const) {
      assert.equal(only[key], null, key);
    }
  });

  it('judges each target on its own number', () => {
    const lines = targetLines(targetRows(full));
    assert.match(lines[0]!, /submit → result \/ docker run, p50: 0\.24 × \(target ≤ 0\.25 ×\): met/);
    assert.match(lines[1]!, /before the sandbox, p50: 40 ms .*: met/);
    assert.match(lines[3]!, /throughput .*: 2\.5 × \(target ≥ 1\.5 ×\): met/);
    assert.match(lines[4]!, /worker RSS growth, 10,000 parked: 400 MB .*: met/);
    assert.match(lines[5]!, /approve → result, 10000 parked, p50: 400 ms .*: met/);
    assert.match(targetLines(targetRows(buildBenchReport({ riskScoring: {}, machine })))[2]!, /not measured/);
  });

  it('scales a smaller parked run to the 10,000 the target is stated for, and says so', () => {
    const small = buildBenchReport({
      parked: { runs: 1_000, workerRssBytesBefore: 100 * MIB, workerRssBytesAfter: 160 * MIB, approveToResultMs: [900], parkMs: 1000, load },
      riskScoring: {},
      machine,
    });
    const row = targetRows(small)[4]!;
    assert.equal(row.label, 'RSS growth per 10,000 parked (from 1000)');
    assert.equal(row.measured, 600);
    assert.match(targetLines([row])[0]!, /missed/);
  });

  it('prints the load average next to each suite', () => {
    const text = reportLines(full).join('\n');
    assert.equal(text.match(/load average 1\.0 → 2\.0/g)?.length, 3);
  });
});
