import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BenchArgsError, DEFAULT_PARKED_ALL, DEFAULT_PARKED_ALONE, DEFAULT_RUNS, parseBenchArgs } from '../bench/bench-args.js';

describe('bench command line', () => {
  it('runs every suite by default, with 10,000 parked runs', () => {
    const args = parseBenchArgs([]);
    assert.deepEqual(args.suites, ['latency', 'throughput', 'parked']);
    assert.equal(args.parked, DEFAULT_PARKED_ALL);
    assert.equal(args.runs, DEFAULT_RUNS);
    assert.equal(args.json, false);
    assert.equal(args.chart, undefined);
  });

  it('runs one suite when asked, with a smaller parked default for the parked suite alone', () => {
    assert.deepEqual(parseBenchArgs(['--suite', 'latency']).suites, ['latency']);
    assert.equal(parseBenchArgs(['--suite', 'parked']).parked, DEFAULT_PARKED_ALONE);
    assert.equal(parseBenchArgs(['--suite', 'parked', '--parked', '250']).parked, 250);
  });

  it('takes the counts, the chart path and --json', () => {
    const args = parseBenchArgs(['--json', '--runs', '5', '--throughput-runs', '40', '--chart', 'docs/performance.svg']);
    assert.equal(args.json, true);
    assert.equal(args.runs, 5);
    assert.equal(args.throughputRuns, 40);
    assert.equal(args.chart, 'docs/performance.svg');
  });

  it('refuses bad values with a message that names the flag', () => {
    assert.throws(() => parseBenchArgs(['--runs', '0']), (e: unknown) => e instanceof BenchArgsError && /--runs must be a positive whole number, not "0"/.test(e.message));
    assert.throws(() => parseBenchArgs(['--parked', '1e4']), /--parked must be a positive whole number/);
    assert.throws(() => parseBenchArgs(['--suite', 'speed']), /--suite must be one of latency, throughput, parked, all, not "speed"/);
    assert.throws(() => parseBenchArgs(['--chart', 'chart.png']), /--chart must name an \.svg file/);
    assert.throws(() => parseBenchArgs(['--rusn', '3']), (e: unknown) => e instanceof BenchArgsError && /rusn/.test(e.message));
  });
});
