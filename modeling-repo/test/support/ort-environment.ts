import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';

/**
 * Jest runs each test file in its own VM context, whose typed-array constructors differ from
 * Node's. onnxruntime-node creates its output arrays in Node's context and then checks them with
 * `instanceof Float32Array` from the test's context, which fails. Tests that run ONNX Runtime
 * sessions use this environment (docblock `@jest-environment ./test/support/ort-environment.ts`),
 * which gives the test context Node's own typed-array constructors.
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
    for (const name of SHARED) {
      sandbox[name] = node[name];
    }
  }
}
