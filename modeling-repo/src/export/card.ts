/**
 * The model card (`model.json`) of the bundle shared with the service: see the model contract.
 * This file only describes and checks its shape; `bundle.ts` fills it in.
 */
import type { IMAGE, PROBABILITIES } from '../contract/index.js';

export const CARD_SCHEMA = 'planet-model-card/1';

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f2: number;
}

export interface ResizeStep {
  readonly to: number;
  readonly kernel: string;
}

export interface ModelCard {
  readonly schema: typeof CARD_SCHEMA;
  readonly name: string;
  readonly version: string;
  readonly createdAt: string;
  readonly labels: readonly string[];
  readonly thresholds: Readonly<Record<string, number>>;
  readonly input: {
    readonly name: typeof IMAGE;
    readonly size: number;
    readonly layout: 'NHWC';
    readonly dtype: 'uint8';
    readonly colour: 'RGB';
    readonly decode: string;
    readonly resize: readonly ResizeStep[];
  };
  readonly output: { readonly name: typeof PROBABILITIES; readonly activation: 'sigmoid' };
  readonly metrics: {
    readonly f2: number;
    readonly f2AtThreshold0_2: number;
    readonly perClass: Readonly<Record<string, ClassMetrics>>;
    readonly split: string;
    readonly images: number;
  };
  readonly backbone: { readonly name: string; readonly source: string; readonly sha256: string };
  readonly training: {
    readonly experiment: string;
    readonly config: unknown;
    readonly gitCommit: string;
    readonly device: string;
    readonly seconds: number;
    readonly data: string;
  };
  readonly onnx: { readonly sha256: string; readonly opset: number };
  /** Present when model.onnx does more than one forward pass per chip (test-time augmentation). */
  readonly inference?: { readonly testTimeAugmentation: boolean; readonly views: number; readonly description: string };
  /** Present when model.onnx averages several trained models (see ensemble/). */
  readonly ensemble?: { readonly members: readonly EnsembleMember[]; readonly rule: string };
}

/** One member of an ensemble bundle, as its own card described it. */
export interface EnsembleMember {
  readonly name: string;
  readonly version: string;
  readonly onnxSha256: string;
  readonly experiment: string;
  readonly f2: number;
  readonly f2AtThreshold0_2: number;
  readonly testTimeAugmentation: boolean;
}

/** A version string that sorts by date and names the code it came from: `2026.11.26-3f2a9c1`. */
export function modelVersion(date: Date, gitCommit: string): string {
  const day = date.toISOString().slice(0, 10).replaceAll('-', '.');
  const SHORT_SHA = 7;
  return `${day}-${gitCommit.slice(0, SHORT_SHA) || 'nogit'}`;
}
