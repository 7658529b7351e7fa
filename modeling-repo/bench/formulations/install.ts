/**
 * Swaps the registry's Conv gradient for the plain rule of conv-grad.ts (ConvTranspose input
 * gradients, N*C-group depthwise and per-tap weight gradients), in this process only (the benchmark's child), to measure what the faster forms gain.
 * Library code never calls this.
 */
import { registry, type OpRule } from '../../src/graph/index.js';
import { convGrad } from '../../src/graph/ops/conv-grad.js';

export function installPlainConvGrad(): void {
  const rules = registry as Map<string, OpRule>;
  const conv = rules.get('Conv');
  if (conv === undefined) throw new Error('the registry has no Conv rule');
  rules.set('Conv', { ...conv, grad: convGrad });
}
