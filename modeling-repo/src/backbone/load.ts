import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { foldBatchNorm } from '../graph/index.js';
import type { Dim, Graph } from '../graph/index.js';
import { fromOnnxBytes } from '../onnx/index.js';
import { buildClassifier, type Classifier } from './classifier.js';
import { resolveBackbone, sha256Hex, type ResolveOptions } from './resolve.js';
import { importTflite } from './tflite.js';
import { tinyCnnBackbone } from './tiny-cnn.js';

/** The `model.backbone` part of the configuration. */
export interface BackboneSpec {
  readonly kind: 'mobilenet_v2' | 'tiny_cnn';
  readonly format: 'onnx' | 'tflite';
  readonly path: string;
  readonly url: string;
  readonly sha256: string;
  readonly cacheDir: string;
}

export interface ModelSpec {
  readonly inputSize: number;
  readonly trainSize: number;
  readonly backbone: BackboneSpec;
}

/** What a model card records about the backbone. */
export interface BackboneProvenance {
  readonly name: string;
  readonly format: 'onnx' | 'tflite' | 'generated';
  readonly source: string;
  readonly sha256: string;
}

export interface LoadedModel {
  readonly classifier: Classifier;
  readonly backbone: BackboneProvenance;
}

export interface LoadModelOptions {
  readonly classes: number;
  readonly seed: number;
  readonly batch?: Dim;
  readonly resolve?: ResolveOptions;
}

/** A float backbone graph from an ONNX file (BatchNorm folded into the convs) or a TFLite file. */
export function backboneGraph(bytes: Uint8Array, format: 'onnx' | 'tflite', trainSize: number, what: string): Graph {
  if (format === 'tflite') {
    return importTflite(bytes, trainSize, what).graph;
  }
  let graph: Graph;
  try {
    graph = fromOnnxBytes(bytes);
  } catch (error) {
    throw new Error(`${what}: not a readable ONNX model (${(error as Error).message})`, { cause: error });
  }
  return foldBatchNorm(graph);
}

/**
 * Builds the classifier the configuration describes: resolves and verifies the backbone file
 * (or generates the tiny CNN), imports it and adds preprocessing and the head.
 */
export async function loadModel(spec: ModelSpec, options: LoadModelOptions): Promise<LoadedModel> {
  const classifierOptions = { inputSize: spec.inputSize, trainSize: spec.trainSize, classes: options.classes, seed: options.seed, batch: options.batch };
  if (spec.backbone.kind === 'tiny_cnn') {
    const graph = tinyCnnBackbone(spec.trainSize, { seed: options.seed });
    return {
      classifier: buildClassifier(graph, classifierOptions),
      backbone: { name: 'tiny_cnn', format: 'generated', source: `generated in code, seed ${options.seed}`, sha256: '' },
    };
  }
  const file = await resolveBackbone(spec.backbone, options.resolve);
  const bytes = await readFile(file.path);
  // The hash of the bytes actually read, so a file replaced after resolution cannot slip through.
  const sha256 = sha256Hex(bytes);
  const graph = backboneGraph(bytes, spec.backbone.format, spec.trainSize, file.path);
  return {
    classifier: buildClassifier(graph, classifierOptions),
    backbone: { name: basename(file.path).replace(/\.(onnx|tflite)$/, ''), format: spec.backbone.format, source: file.source, sha256 },
  };
}
