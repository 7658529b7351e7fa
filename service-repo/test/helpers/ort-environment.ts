import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';

/**
 * Jest runs each test file in its own VM context, whose typed-array constructors differ from Node's.
 * onnxruntime-node and sharp create their arrays and Buffers in Node's context, and code then checks
 * them with `instanceof Uint8Array` / `Float32Array` from the test's context, which fails. This
 * environment gives the test context Node's own typed-array constructors.
 */
const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
] as const;

export default class OrtEnvironment extends NodeEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    const sandbox = this.global as unknown as Record<string, unknown>;
    const node = globalThis as unknown as Record<string, unknown>;
    for (const name of SHARED) sandbox[name] = node[name];
  }
}
