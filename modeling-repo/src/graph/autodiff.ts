/**
 * Reverse-mode automatic differentiation over a GraphBuilder's nodes. The backward pass is
 * appended to the same builder as ordinary ONNX ops, emitted by each op's gradient rule, so the
 * result is one graph that computes both the forward values and the gradients.
 */
import type { GraphBuilder } from './builder.js';
import type { Node } from './ir.js';
import { numel } from './ir.js';
import { getRule } from './registry.js';
import { sameShape, showShape, staticShape } from './shape.js';
import { makeTensor } from './tensor.js';

/** Values that depend on any of `wrt` (forward reachability). */
function dependents(nodes: readonly Node[], wrt: readonly string[]): Set<string> {
  const dep = new Set(wrt);
  for (const n of nodes) {
    if (n.inputs.some((i) => dep.has(i))) {
      n.outputs.forEach((o) => dep.add(o));
    }
  }
  return dep;
}

/** Values that `loss` depends on (backward reachability). */
function ancestors(nodes: readonly Node[], loss: string): Set<string> {
  const need = new Set([loss]);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    if (n?.outputs.some((o) => need.has(o)) === true) {
      n.inputs.forEach((i) => need.add(i));
    }
  }
  return need;
}

/** Gradient contributions per value, summed with Add (fan-out) the first time the total is read. */
class Accumulator {
  private readonly parts = new Map<string, string[]>();

  constructor(private readonly b: GraphBuilder) {}

  add(value: string, grad: string): void {
    this.parts.set(value, [...(this.parts.get(value) ?? []), grad]);
  }

  total(value: string): string | null {
    const parts = this.parts.get(value);
    if (parts === undefined || parts.length === 0) {
      return null;
    }
    const sum = parts.reduce((acc, g) => this.b.op('Add', [acc, g]));
    this.parts.set(value, [sum]);
    return sum;
  }
}

function seed(b: GraphBuilder, loss: string): string {
  const info = b.info(loss);
  const shape = staticShape(info.shape, `loss "${loss}"`);
  if (numel(shape) !== 1) {
    throw new Error(`loss "${loss}" must be a scalar, its shape is ${showShape(shape)}`);
  }
  return shape.length === 0 ? b.scalar(1, info.dtype) : b.constant(makeTensor(info.dtype, shape, [1]), 'grad_seed');
}

function backward(b: GraphBuilder, node: Node, acc: Accumulator, dep: ReadonlySet<string>): void {
  const dy = node.outputs.map((o) => acc.total(o));
  if (dy.every((g) => g === null)) {
    return;
  }
  const rule = getRule(node.op, node.domain);
  if (rule.grad === null) {
    throw new Error(`op ${node.op} (output "${node.outputs[0] ?? ''}") has no gradient rule, but the loss depends on it through a trained value`);
  }
  const needs = node.inputs.map((i) => i !== '' && dep.has(i));
  const grads = rule.grad({ b, node, x: node.inputs, y: node.outputs, dy, needs });
  node.inputs.forEach((input, i) => {
    const g = grads[i];
    if (needs[i] !== true || g === null || g === undefined) {
      return;
    }
    const want = b.info(input).shape;
    const got = b.info(g).shape;
    if (!sameShape(want, got)) {
      throw new Error(`${node.op} gradient for "${input}" has shape ${showShape(got)}, expected ${showShape(want)}`);
    }
    acc.add(input, g);
  });
}

/**
 * Appends the gradient of the scalar `loss` with respect to each of `wrt` to the builder and
 * returns wrt name -> gradient value name. Nodes that do not lie between `wrt` and `loss` are
 * skipped; a `wrt` value that the loss does not depend on is an error naming it.
 */
export function differentiate(b: GraphBuilder, loss: string, wrt: readonly string[]): Map<string, string> {
  const nodes = [...b.nodes];
  const dep = dependents(nodes, wrt);
  const need = ancestors(nodes, loss);
  const acc = new Accumulator(b);
  acc.add(loss, seed(b, loss));
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    if (n !== undefined && n.inputs.some((i) => dep.has(i)) && n.outputs.some((o) => need.has(o))) {
      backward(b, n, acc, dep);
    }
  }
  const result = new Map<string, string>();
  for (const w of wrt) {
    const g = acc.total(w);
    if (g === null) {
      throw new Error(`no gradient path from loss "${loss}" to "${w}"`);
    }
    result.set(w, g);
  }
  return result;
}
