/**
 * The contract every op implements: static shape inference, a float64 reference kernel, and a
 * gradient rule that emits the backward pass as standard ONNX ops through the builder.
 */
import type { GraphBuilder } from '../builder.js';
import type { Attrs, DType, Dim, Node, Tensor } from '../ir.js';

/** What shape inference knows about an input: its type, and its value when it is a known constant. */
export interface InferInput {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  /** Present for initializers and small constant-folded int64 values (shapes, axes). */
  readonly value?: Tensor;
}

export interface Inferred {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  /** An op may know its output value statically (Shape of a static shape). */
  readonly value?: Tensor;
}

export interface GradContext {
  readonly b: GraphBuilder;
  readonly node: Node;
  /** The node's input value names ('' for omitted optional inputs). */
  readonly x: readonly string[];
  /** The node's output value names. */
  readonly y: readonly string[];
  /** Gradient of the loss with respect to each output; null where no gradient flows back. */
  readonly dy: readonly (string | null)[];
  /** Per input: whether its gradient is wanted. A rule may return null for inputs not wanted. */
  readonly needs: readonly boolean[];
}

export type GradFn = (ctx: GradContext) => (string | null)[];

export interface OpRule {
  readonly op: string;
  /** Operator set domain; absent for standard ONNX ops. */
  readonly domain?: string;
  infer(inputs: readonly (InferInput | undefined)[], attrs: Attrs): Inferred[];
  /** Reference kernel: float inputs are read as float64 and float outputs are float64. */
  evaluate(inputs: readonly (Tensor | undefined)[], attrs: Attrs): Tensor[];
  /** Null for ops with no gradient (used only in backward or optimizer parts, or not differentiable). */
  readonly grad: GradFn | null;
}
