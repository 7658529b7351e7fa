/**
 * Float64 reference evaluator: runs a graph with each op's TypeScript `evaluate`. Slow, exact,
 * and independent of ONNX Runtime, so gradient checks and kernel tests have a trustworthy oracle.
 */
import type { Graph, Tensor } from './ir.js';
import { getRule } from './registry.js';
import { isStatic, showShape } from './shape.js';
import { isFloat, makeTensor, toFloat64 } from './tensor.js';

function asReference(t: Tensor): Tensor {
  return isFloat(t.dtype) && t.dtype !== 'float64' ? makeTensor('float64', t.dims, toFloat64(t)) : t;
}

function checkFeed(graph: Graph, feeds: Readonly<Record<string, Tensor>>): void {
  for (const v of graph.inputs) {
    const t = feeds[v.name];
    if (t === undefined) {
      throw new Error(`graph "${graph.name}": no value fed for input "${v.name}"`);
    }
    const fits = t.dims.length === v.shape.length && v.shape.every((d, i) => typeof d !== 'number' || d === t.dims[i]);
    if (!fits || (isStatic(v.shape) && t.data.length !== t.dims.reduce((a, d) => a * d, 1))) {
      throw new Error(`graph "${graph.name}": input "${v.name}" wants ${showShape(v.shape)}, got ${showShape(t.dims)}`);
    }
  }
}

/** Every value of the graph (inputs, initializers, node outputs); floats are float64. */
export function evaluateAll(graph: Graph, feeds: Readonly<Record<string, Tensor>>): Map<string, Tensor> {
  checkFeed(graph, feeds);
  const values = new Map<string, Tensor>();
  for (const [name, t] of graph.initializers) {
    values.set(name, asReference(t));
  }
  for (const v of graph.inputs) {
    const t = feeds[v.name];
    if (t !== undefined) {
      values.set(v.name, asReference(t));
    }
  }
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => {
      const t = name === '' ? undefined : values.get(name);
      if (name !== '' && t === undefined) {
        throw new Error(`${node.op}: input "${name}" has no value`);
      }
      return t;
    });
    const outputs = getRule(node.op, node.domain).evaluate(inputs, node.attrs);
    node.outputs.forEach((name, i) => {
      const t = outputs[i];
      if (name !== '' && t !== undefined) {
        values.set(name, t);
      }
    });
  }
  return values;
}

/** The graph's outputs computed in float64 by the reference kernels. */
export function evaluateGraph(graph: Graph, feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const values = evaluateAll(graph, feeds);
  const out: Record<string, Tensor> = {};
  for (const v of graph.outputs) {
    const t = values.get(v.name);
    if (t === undefined) {
      throw new Error(`graph "${graph.name}": output "${v.name}" was not computed`);
    }
    out[v.name] = t;
  }
  return out;
}
