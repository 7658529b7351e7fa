import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { crc32c, maskCrc, unmaskCrc } from './crc32c.js';
import { readEventFile, TensorBoardWriter } from './tensorboard.js';
import { frameRecord, readRecords } from './tfrecord.js';

/** Bytes from a string written with Python-style escapes, for reference records. */
function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

// An event file written by TensorFlow's own protos and framing, wall time 256.5: the header event,
// then 'v/1' = 1.5 at step 1 and 'v/22' = 16.0 at step 2 (the reference stream of the
// tensorboard_logger project's serialization test).
const REFERENCE = bytes(
  '\x18\x00\x00\x00\x00\x00\x00\x00\xa3\x7fK"\t\x00\x00\x00\x00\x00\x08p@\x1a\rbrain.Event:2\xbc\x98!+'
  + '\x19\x00\x00\x00\x00\x00\x00\x00\x8b\xf1\x08(\t\x00\x00\x00\x00\x00\x08p@\x10\x01*\x0c\n\n\n\x03v/1\x15\x00\x00\xc0?,\xec\xc0\x87'
  + '\x1a\x00\x00\x00\x00\x00\x00\x00\x12\x9b\xd8-\t\x00\x00\x00\x00\x00\x08p@\x10\x02*\r\n\x0b\n\x04v/22\x15\x00\x00\x80A\x8f\xa3\xb6\x88',
);

describe('crc32c', () => {
  it('matches the RFC 3720 test vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('masks as TensorFlow does, and unmasks', () => {
    // A TFRecord of 24 bytes starts with length 24 and the masked CRC of those 8 bytes: a3 7f 4b 22.
    const length = new Uint8Array(8);
    length[0] = 24;
    expect(maskCrc(crc32c(length))).toBe(0x224b7fa3);
    for (const crc of [0, 1, 0xffffffff, 0x8a9136aa]) expect(unmaskCrc(maskCrc(crc))).toBe(crc);
  });
});

describe('TFRecord framing', () => {
  it('frames and reads back records, checking both CRCs', () => {
    const records = [new Uint8Array(0), bytes('hello'), new Uint8Array(300).fill(7)];
    const file = Buffer.concat(records.map(frameRecord));
    expect(readRecords(file, 'f').map((record) => Array.from(record))).toEqual(records.map((record) => Array.from(record)));
  });

  it('names the file and offset of a corrupt or truncated record', () => {
    const file = Buffer.concat([frameRecord(bytes('abc')), frameRecord(bytes('defg'))]);
    const flipped = Uint8Array.from(file);
    flipped[19 + 12] = flipped[19 + 12]! ^ 1;
    expect(() => readRecords(flipped, 'x.tfevents')).toThrow('x.tfevents: bad data CRC at byte 19');
    const badLength = Uint8Array.from(file);
    badLength[0] = 4;
    expect(() => readRecords(badLength, 'x')).toThrow('x: bad length CRC at byte 0');
    expect(() => readRecords(file.subarray(0, file.length - 2), 'x')).toThrow('x: truncated record data at byte 19');
  });
});

describe('TensorBoardWriter', () => {
  it('writes the same bytes as TensorFlow for the same events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tb-'));
    const writer = new TensorBoardWriter(dir, () => 256_500);
    writer.addScalar('v/1', 1.5, 1);
    writer.addScalar('v/22', 16, 2);
    writer.close();
    expect(basename(writer.path)).toMatch(/^events\.out\.tfevents\.256\.[^/]+$/);
    expect(Array.from(await readFile(writer.path))).toEqual(Array.from(REFERENCE));
  });

  it('reads back TensorFlow’s file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tb-'));
    const file = join(dir, 'events.out.tfevents.256.host');
    await writeFile(file, REFERENCE);
    expect(readEventFile(file)).toEqual([
      { wallTime: 256.5, step: 0, fileVersion: 'brain.Event:2', scalars: [] },
      { wallTime: 256.5, step: 1, scalars: [{ tag: 'v/1', value: 1.5 }] },
      { wallTime: 256.5, step: 2, scalars: [{ tag: 'v/22', value: 16 }] },
    ]);
  });

  it('round-trips several scalars per step, large steps and non-finite values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tb-'));
    let clock = 1_700_000_000_000;
    const writer = new TensorBoardWriter(dir, () => (clock += 250));
    writer.addScalars(3, { 'loss/train': 0.25, 'f2/val': 0.875 });
    writer.addScalars(2 ** 40, { 'loss/train': Number.NaN });
    writer.addScalars(5, {});
    writer.close();
    expect(await readdir(dir)).toHaveLength(1);
    const events = readEventFile(writer.path);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ step: 0, fileVersion: 'brain.Event:2', wallTime: 1_700_000_000.25 });
    expect(events[1]).toEqual({ wallTime: 1_700_000_000.5, step: 3, scalars: [{ tag: 'loss/train', value: 0.25 }, { tag: 'f2/val', value: 0.875 }] });
    expect(events[2]?.step).toBe(2 ** 40);
    expect(events[2]?.scalars[0]?.value).toBeNaN();
  });

  it('refuses to write after close', async () => {
    const writer = new TensorBoardWriter(await mkdtemp(join(tmpdir(), 'tb-')));
    writer.close();
    expect(() => {
      writer.addScalar('a', 1, 1);
    }).toThrow('event file is closed');
  });
});
