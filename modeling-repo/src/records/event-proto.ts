import protobuf from 'protobufjs';

/**
 * The subset of TensorFlow's `Event` and `Summary` protos a scalar log needs, with TensorFlow's
 * own field numbers (tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto).
 */
const EVENT_PROTO = `
syntax = "proto3";
package tensorboard;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}
message Summary {
  message Value {
    string tag = 1;
    oneof value { float simple_value = 2; }
  }
  repeated Value value = 1;
}
`;

/** The version string TensorBoard expects in the first event of a file. */
export const FILE_VERSION = 'brain.Event:2';

export interface ScalarValue {
  readonly tag: string;
  readonly value: number;
}

/** A decoded event: the file-version header or a summary of scalars. */
export interface TensorBoardEvent {
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly scalars: readonly ScalarValue[];
}

const root = protobuf.parse(EVENT_PROTO, { keepCase: true }).root;
const EventType = root.lookupType('tensorboard.Event');

interface RawEvent {
  wall_time?: number;
  step?: number;
  file_version?: string;
  summary?: { value?: { tag?: string; simple_value?: number }[] };
}

export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  // proto3 leaves default values out of the wire format, as TensorFlow's writer does.
  const payload: RawEvent = { wall_time: event.wallTime };
  if (event.step !== 0) payload.step = event.step;
  if (event.fileVersion !== undefined) payload.file_version = event.fileVersion;
  if (event.scalars.length > 0) {
    payload.summary = { value: event.scalars.map(({ tag, value }) => ({ tag, simple_value: value })) };
  }
  return EventType.encode(EventType.fromObject(payload)).finish();
}

export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  const raw = EventType.toObject(EventType.decode(bytes), { longs: Number, defaults: true }) as RawEvent;
  const scalars = (raw.summary?.value ?? []).map((value) => ({ tag: value.tag ?? '', value: value.simple_value ?? 0 }));
  const base = { wallTime: raw.wall_time ?? 0, step: raw.step ?? 0, scalars };
  return raw.file_version === undefined || raw.file_version === '' ? base : { ...base, fileVersion: raw.file_version };
}
