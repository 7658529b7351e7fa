import { attr, type Graph, type Node, type Tensor } from '../graph/index.js';
import { createRng, deriveSeed } from '../util/index.js';
import { standardNormal } from './init.js';
import { buildClassifier, type Classifier, type ClassifierOptions } from './classifier.js';

/**
 * A tiny, randomly initialised CNN with the same interface as an imported backbone (input
 * `input` float32 NCHW in [-1, 1], a GlobalAveragePool giving the features), so the smoke
 * experiment and the tests exercise the whole pipeline in seconds on any machine.
 *
 *   conv3x3/2 (3->8) Relu, conv3x3 (8->16) Relu, depthwise3x3/2 (16) Relu, conv1x1 (16->32) Relu, GAP
 */

interface ConvSpec {
  readonly name: string;
  readonly inC: number;
  readonly outC: number;
  readonly kernel: number;
  readonly stride: number;
  readonly group: number;
}

export interface TinyCnnOptions {
  readonly seed: number;
  /** Channels of the last conv, i.e. the feature size (default 32). */
  readonly width?: number;
}

const TINY_SEED_PURPOSE = 23;
const DEFAULT_WIDTH = 32;

function specs(width: number): ConvSpec[] {
  const quarter = Math.max(1, Math.round(width / 4));
  const half = Math.max(1, Math.round(width / 2));
  return [
    { name: 'stem', inC: 3, outC: quarter, kernel: 3, stride: 2, group: 1 },
    { name: 'conv1', inC: quarter, outC: half, kernel: 3, stride: 1, group: 1 },
    { name: 'dw2', inC: half, outC: half, kernel: 3, stride: 2, group: half },
    { name: 'pw3', inC: half, outC: width, kernel: 1, stride: 1, group: 1 },
  ];
}

/** He-normal weights (fan-in of one group), small positive bias so ReLUs start alive. */
function convInit(spec: ConvSpec, next: () => number): { weight: Tensor; bias: Tensor } {
  const perGroupIn = spec.inC / spec.group;
  const fanIn = perGroupIn * spec.kernel * spec.kernel;
  const std = Math.sqrt(2 / fanIn);
  const count = spec.outC * fanIn;
  const weight = Float32Array.from({ length: count }, () => std * standardNormal(next));
  return {
    weight: { dtype: 'float32', dims: [spec.outC, perGroupIn, spec.kernel, spec.kernel], data: weight },
    bias: { dtype: 'float32', dims: [spec.outC], data: new Float32Array(spec.outC) },
  };
}

/** The tiny backbone graph for images of side `size`. */
export function tinyCnnBackbone(size: number, options: TinyCnnOptions): Graph {
  const rng = createRng(deriveSeed(options.seed, TINY_SEED_PURPOSE));
  const initializers = new Map<string, Tensor>();
  const nodes: Node[] = [];
  let x = 'input';
  for (const spec of specs(options.width ?? DEFAULT_WIDTH)) {
    const { weight, bias } = convInit(spec, rng.next);
    initializers.set(`${spec.name}.weight`, weight);
    initializers.set(`${spec.name}.bias`, bias);
    const pad = Math.floor(spec.kernel / 2);
    nodes.push({
      op: 'Conv',
      name: spec.name,
      inputs: [x, `${spec.name}.weight`, `${spec.name}.bias`],
      outputs: [`${spec.name}.conv`],
      attrs: {
        kernel_shape: attr.ints([spec.kernel, spec.kernel]),
        strides: attr.ints([spec.stride, spec.stride]),
        pads: attr.ints([pad, pad, pad, pad]),
        group: attr.int(spec.group),
      },
    });
    nodes.push({ op: 'Relu', inputs: [`${spec.name}.conv`], outputs: [`${spec.name}.relu`], attrs: {} });
    x = `${spec.name}.relu`;
  }
  nodes.push({ op: 'GlobalAveragePool', inputs: [x], outputs: ['features'], attrs: {} });
  return {
    name: 'tiny-cnn',
    inputs: [{ name: 'input', dtype: 'float32', shape: ['N', 3, size, size] }],
    outputs: [{ name: 'features', dtype: 'float32', shape: ['N', options.width ?? DEFAULT_WIDTH, 1, 1] }],
    nodes,
    initializers,
  };
}

/** The tiny CNN wrapped as a classifier, exactly like a pretrained backbone would be. */
export function tinyCnnClassifier(options: ClassifierOptions & { readonly width?: number }): Classifier {
  const backbone = tinyCnnBackbone(options.trainSize, { seed: options.seed, width: options.width });
  return buildClassifier(backbone, options);
}
