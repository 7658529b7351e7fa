/**
 * The inference worker thread: owns the ONNX Runtime session of one bundle and runs batches.
 *
 * Why a thread: onnxruntime-node runs a session synchronously on the calling thread. On the event
 * loop, every batch would stop HTTP parsing and image decoding for its whole duration; here the
 * event loop keeps preparing the next batch while this one runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { LABEL_COUNT, RGB_CHANNELS } from '../contract/index.js';
import { sessionProblems } from './bundle.js';
import type { FromWorker, RunRequest, ToWorker, WorkerSetup } from './worker-messages.js';

if (parentPort === null) throw new Error('inference-worker.ts runs as a worker thread only');
const port = parentPort;
const setup = workerData as WorkerSetup;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function createSession(): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(setup.onnx, {
    executionProviders: [setup.device ?? 'cpu'],
    // On a GPU, the batch is one host tensor uploaded once per run and the probabilities (the
    // only output) come back to the host once: nothing else crosses.
    preferredOutputLocation: 'cpu',
    intraOpNumThreads: setup.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // No spin-waiting between ops: inference overlaps image decoding on sharp's threads, and
    // spinning intra-op threads would take their CPU.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

async function runBatch(session: ort.InferenceSession, request: RunRequest): Promise<Float32Array> {
  const { card } = setup;
  const size = card.input.size;
  const feeds = { [card.input.name]: new ort.Tensor('uint8', request.input, [request.count, size, size, RGB_CHANNELS]) };
  const results = await session.run(feeds);
  const output = results[card.output.name];
  if (output?.type !== 'float32' || output.dims.length !== 2 || output.dims[0] !== request.count || output.dims[1] !== LABEL_COUNT) {
    throw new Error(`model returned ${output?.type ?? 'nothing'} [${output?.dims.join(', ') ?? ''}], expected float32 [${request.count}, ${LABEL_COUNT}]`);
  }
  return output.data as Float32Array;
}

async function serve(session: ort.InferenceSession, message: ToWorker): Promise<void> {
  if (message.kind === 'release') {
    await session.release();
    port.close();
    return;
  }
  try {
    const probabilities = await runBatch(session, message);
    post({ kind: 'result', id: message.id, probabilities }, [probabilities.buffer as ArrayBuffer]);
  } catch (error) {
    post({ kind: 'run-failed', id: message.id, message: error instanceof Error ? error.message : String(error) });
  }
}

async function start(): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await createSession();
  } catch (error) {
    post({ kind: 'load-failed', message: error instanceof Error ? error.message : String(error) });
    port.close();
    return;
  }
  // A run blocks this thread, so batches run one after another, in the order they arrive.
  port.on('message', (message: ToWorker) => { void serve(session, message); });
  post({ kind: 'loaded', problems: sessionProblems(session, setup.card) });
}

await start();
