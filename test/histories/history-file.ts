/**
 * Reads and writes history fixtures. The SDK's own `historyToJSON`/`historyFromJSON` fail in this dependency tree
 * (its protojson extension comes from a second protobufjs copy whose `Type` the proto root is not an instance
 * of), so fixtures use protobufjs's plain-object form instead: the same field names, int64 and enums as strings,
 * bytes as base64, timestamps as { seconds, nanos }.
 */
import { readFile, writeFile } from 'node:fs/promises';
import proto from '@temporalio/proto';

type History = proto.temporal.api.history.v1.IHistory;
// CommonJS module: its namespaces are reachable through the default export only.
const HistoryType = proto.temporal.api.history.v1.History;

const OBJECT_FORM = { longs: String, enums: String, bytes: String } as const;

/** Writes a fetched history as pretty JSON. */
export async function writeHistoryFile(file: string, history: History): Promise<void> {
  const message = HistoryType.fromObject(history as Record<string, unknown>);
  await writeFile(file, JSON.stringify(HistoryType.toObject(message, OBJECT_FORM), null, 1) + '\n');
}

/** Reads a fixture back into a History message that `Worker.runReplayHistories` accepts. */
export async function readHistoryFile(file: string): Promise<History> {
  return HistoryType.fromObject(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>);
}
