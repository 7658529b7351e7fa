import * as ort from 'onnxruntime-node';
import type { Batch } from '../../data/index.js';
import { LR, STEP, TARGET } from '../training-graph.js';
import { IMAGE } from '../../contract/index.js';

const RGB = 3;

/** The host inputs of one training step besides the state: the batch, its labels, lr and step. */
export function stepFeeds(batch: Batch, size: number, lr: number, step: number): Record<string, ort.Tensor> {
  const n = batch.names.length;
  const classes = batch.targets.length / (n === 0 ? 1 : n);
  return {
    [IMAGE]: new ort.Tensor('uint8', batch.images, [n, size, size, RGB]),
    [TARGET]: new ort.Tensor('float32', batch.targets, [n, classes]),
    [LR]: new ort.Tensor('float32', Float32Array.of(lr), []),
    [STEP]: new ort.Tensor('float32', Float32Array.of(step), []),
  };
}
