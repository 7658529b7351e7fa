import { describe, expect, it } from '@jest/globals';
import { differentiate } from './autodiff.js';
import { GraphBuilder } from './builder.js';
import { attr, type Graph } from './ir.js';
import { BLOCK_ATTR, NCHWC_DOMAIN, reorderInput } from './ops/nchwc-layout.js';
import { earliestLevelOrder } from './schedule.js';

const BLOCK = 8;

/** x -> Relu -> Relu -> Relu, and a Sigmoid of the first Relu that only the output reads. */
function chainWithSideBranch(): Graph {
  const b = new GraphBuilder('chain');
  b.input('x', 'float32', [4]);
  const a = b.op('Relu', ['x']);
  const c = b.op('Relu', [b.op('Relu', [a])]);
  const side = b.op('Sigmoid', [a]);
  b.output(b.named(b.op('Add', [c, side]), 'y'));
  return b.build();
}

function producerIndex(graph: Graph): Map<string, number> {
  return new Map(graph.nodes.flatMap((n, i) => n.outputs.map((o) => [o, i] as const)));
}

/** Names of every value `value` is computed from (itself included). */
function ancestors(graph: Graph, value: string): Set<string> {
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const seen = new Set<string>();
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop() ?? '';
    if (seen.has(v)) continue;
    seen.add(v);
    stack.push(...(producer.get(v)?.inputs ?? []));
  }
  return seen;
}

describe('earliestLevelOrder', () => {
  it('keeps every node and writes each after the nodes it reads', () => {
    const graph = chainWithSideBranch();
    const ordered = earliestLevelOrder(graph);
    expect([...ordered.nodes].sort((p, q) => (p.outputs[0] ?? '').localeCompare(q.outputs[0] ?? ''))).toEqual(
      [...graph.nodes].sort((p, q) => (p.outputs[0] ?? '').localeCompare(q.outputs[0] ?? '')),
    );
    const at = producerIndex(ordered);
    ordered.nodes.forEach((node, i) => {
      for (const input of node.inputs) {
        expect(at.get(input) ?? -1).toBeLessThan(i);
      }
    });
  });

  it('writes a value that is ready early right after what it is computed from', () => {
    const ordered = earliestLevelOrder(chainWithSideBranch());
    // Builder order wrote the Sigmoid after the whole chain; at its level it follows the first Relu.
    expect(ordered.nodes.map((n) => n.op)).toEqual(['Relu', 'Relu', 'Sigmoid', 'Relu', 'Add', 'Identity']);
  });
});

describe('NCHWc conv gradient ordering', () => {
  it('computes the input gradient from the weight and bias gradients, so they run first', () => {
    const b = new GraphBuilder('layer');
    b.input('x', 'float32', [2, 2 * BLOCK, 6, 6]);
    b.input('w', 'float32', [2 * BLOCK, 2 * BLOCK, 1, 1]);
    b.input('bias', 'float32', [2 * BLOCK]);
    const xb = reorderInput(b, 'x', BLOCK);
    const y = b.op('Conv', [xb, 'w', 'bias'], {
      kernel_shape: attr.ints([1, 1]), activation: attr.string('Clip'), activation_params: attr.floats([0, 6]), [BLOCK_ATTR]: attr.int(BLOCK),
    }, NCHWC_DOMAIN);
    const loss = b.op('ReduceSum', [y], { keepdims: attr.int(0) });
    const grads = differentiate(b, loss, ['x', 'w', 'bias']);
    for (const [name, grad] of grads) {
      b.output(b.named(grad, `d_${name}`));
    }
    const graph = b.build();
    const dx = ancestors(graph, 'd_x');
    expect(dx.has(grads.get('w') ?? 'missing')).toBe(true);
    expect(dx.has(grads.get('bias') ?? 'missing')).toBe(true);
  });
});
