/**
 * Swaps the registry's Conv gradient for the candidate formulation, in this process only (the
 * benchmark's child). Library code never calls this.
 */
import { registry, type OpRule } from '../../src/graph/index.js';
import { fastConvGrad } from './conv-grad-fast.js';

export function installFastConvGrad(): void {
  const rules = registry as Map<string, OpRule>;
  const conv = rules.get('Conv');
  if (conv?.grad === null || conv === undefined) {
    throw new Error('the registry has no Conv gradient to replace');
  }
  rules.set('Conv', { ...conv, grad: fastConvGrad(conv.grad) });
}
