/**
 * Workflow histories to and from the JSON form Temporal's tools write (`temporal workflow show --output json`,
 * the Web UI's download, `historyToJSON`/`historyFromJSON` of @temporalio/common).
 *
 * The SDK's two functions are used when they work. With the dependency tree of package-lock.json they do not:
 * @grpc/proto-loader holds protobufjs 7 at the top of node_modules, so @temporalio/proto, common and worker each get
 * a nested copy of protobufjs 8, and common's protojson refuses the message types built by proto's copy
 * ("type must be a Type"; `Worker.runReplayHistory` with a JSON history fails the same way). The fallback runs the
 * same protojson conversion from the protobufjs copy that @temporalio/proto's types come from.
 */
import { dirname } from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export type History = proto.temporal.api.history.v1.IHistory;

/** A file of test/replay/histories/: the ids replay needs, and the history in Temporal's JSON form. */
export interface HistoryFixture {
  workflowId: string;
  runId: string;
  workflowType: string;
  history: unknown;
}

interface ProtoJson {
  toJson(type: unknown, message: unknown, options?: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: unknown): unknown;
}

/** What the SDK throws when its protobufjs copy is not the one the types were built with. */
function isSplitProtobufError(err: unknown): boolean {
  return err instanceof TypeError && /type must be a Type/.test(err.message);
}

let fallback: { protojson: ProtoJson; historyType: unknown } | undefined;

function protoJson(): { protojson: ProtoJson; historyType: unknown } {
  if (!fallback) {
    const protoDir = dirname(require.resolve('@temporalio/proto/package.json'));
    const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
    const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');
    fallback = { protojson, historyType };
  }
  return fallback;
}

/** A history as a JSON string (two-space indented), as `historyToJSON` writes it. */
export function historyToJson(history: History): string {
  try {
    return historyToJSON(history);
  } catch (err) {
    if (!isSplitProtobufError(err)) throw err;
  }
  const { protojson, historyType } = protoJson();
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** A history from its JSON form (parsed), as `historyFromJSON` reads it; unknown fields are ignored. */
export function historyFromJson(json: unknown): History {
  try {
    return historyFromJSON(json);
  } catch (err) {
    if (!isSplitProtobufError(err)) throw err;
  }
  const { protojson, historyType } = protoJson();
  const loaded = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('invalid history JSON');
  return loaded as History;
}
