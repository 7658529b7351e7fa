/** Orders nodes so every node comes after the producers of its inputs (stable: one pass if already ordered). */
import type { Node } from './ir.js';

function ready(node: Node, known: ReadonlySet<string>, produced: ReadonlySet<string>): boolean {
  return node.inputs.every((i) => i === '' || known.has(i) || !produced.has(i));
}

export function toposort(nodes: readonly Node[], available: ReadonlySet<string>): Node[] {
  const known = new Set(available);
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const order: Node[] = [];
  let pending = [...nodes];
  while (pending.length > 0) {
    const waiting: Node[] = [];
    for (const node of pending) {
      if (ready(node, known, produced)) {
        order.push(node);
        node.outputs.forEach((o) => known.add(o));
      } else {
        waiting.push(node);
      }
    }
    if (waiting.length === pending.length) {
      const stuck = waiting[0];
      throw new Error(`graph has a cycle at node ${stuck?.op ?? '?'} -> ${stuck?.outputs.join(',') ?? ''}`);
    }
    pending = waiting;
  }
  return order;
}
