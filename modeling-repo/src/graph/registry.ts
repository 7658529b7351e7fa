/**
 * The op registry: every op the graphs may contain, one rule per op (hand-written list, one file
 * per op in ops/). Looking up an op with no rule throws an error naming it.
 */
import { abs } from './ops/abs.js';
import { add } from './ops/add.js';
import { and } from './ops/and.js';
import { averagePool } from './ops/average-pool.js';
import { batchNormalization } from './ops/batch-normalization.js';
import { cast } from './ops/cast.js';
import { clip } from './ops/clip.js';
import { concat } from './ops/concat.js';
import { constantOfShape } from './ops/constant-of-shape.js';
import { constant } from './ops/constant.js';
import { convTranspose } from './ops/conv-transpose.js';
import { conv } from './ops/conv.js';
import { div } from './ops/div.js';
import { equal } from './ops/equal.js';
import { exp } from './ops/exp.js';
import { expand } from './ops/expand.js';
import { flatten } from './ops/flatten.js';
import { fusedMatMul } from './ops/fused-matmul.js';
import { gather } from './ops/gather.js';
import { gemm } from './ops/gemm.js';
import { globalAveragePool } from './ops/global-average-pool.js';
import { greaterOrEqual } from './ops/greater-or-equal.js';
import { greater } from './ops/greater.js';
import { hardSigmoid } from './ops/hard-sigmoid.js';
import { hardSwish } from './ops/hard-swish.js';
import { identity } from './ops/identity.js';
import { lessOrEqual } from './ops/less-or-equal.js';
import { less } from './ops/less.js';
import { log } from './ops/log.js';
import { matmul } from './ops/matmul.js';
import { maxPool } from './ops/max-pool.js';
import { max } from './ops/max.js';
import { min } from './ops/min.js';
import { nchwcConv } from './ops/nchwc-conv.js';
import { reorderInput, reorderOutput } from './ops/nchwc-reorder.js';
import { mul } from './ops/mul.js';
import { neg } from './ops/neg.js';
import { not } from './ops/not.js';
import { or } from './ops/or.js';
import { pad } from './ops/pad.js';
import { pow } from './ops/pow.js';
import { reciprocal } from './ops/reciprocal.js';
import { reduceMax } from './ops/reduce-max.js';
import { reduceMean } from './ops/reduce-mean.js';
import { reduceSum } from './ops/reduce-sum.js';
import { relu } from './ops/relu.js';
import { reshape } from './ops/reshape.js';
import { resize } from './ops/resize.js';
import { shapeOp } from './ops/shape-op.js';
import { sigmoid } from './ops/sigmoid.js';
import { sign } from './ops/sign.js';
import { slice } from './ops/slice.js';
import { softmax } from './ops/softmax.js';
import { softplus } from './ops/softplus.js';
import { split } from './ops/split.js';
import { sqrt } from './ops/sqrt.js';
import { squeeze } from './ops/squeeze.js';
import { sub } from './ops/sub.js';
import { tanh } from './ops/tanh.js';
import { tile } from './ops/tile.js';
import { transpose } from './ops/transpose.js';
import { unsqueeze } from './ops/unsqueeze.js';
import { where } from './ops/where.js';
import type { OpRule } from './ops/op-rule.js';

export const RULES: readonly OpRule[] = [
  abs,
  add,
  and,
  averagePool,
  batchNormalization,
  cast,
  clip,
  concat,
  constantOfShape,
  constant,
  convTranspose,
  conv,
  div,
  equal,
  exp,
  expand,
  flatten,
  fusedMatMul,
  gather,
  gemm,
  globalAveragePool,
  greaterOrEqual,
  greater,
  hardSigmoid,
  hardSwish,
  identity,
  lessOrEqual,
  less,
  log,
  matmul,
  maxPool,
  max,
  min,
  mul,
  nchwcConv,
  neg,
  not,
  or,
  pad,
  pow,
  reciprocal,
  reduceMax,
  reduceMean,
  reduceSum,
  reorderInput,
  reorderOutput,
  relu,
  reshape,
  resize,
  shapeOp,
  sigmoid,
  sign,
  slice,
  softmax,
  softplus,
  split,
  sqrt,
  squeeze,
  sub,
  tanh,
  tile,
  transpose,
  unsqueeze,
  where,
];

/** Registry key of an op: its name, qualified by its domain outside the standard one. */
export function ruleKey(op: string, domain?: string): string {
  return domain === undefined || domain === '' ? op : `${domain}:${op}`;
}

function index(rules: readonly OpRule[]): ReadonlyMap<string, OpRule> {
  const map = new Map<string, OpRule>();
  for (const rule of rules) {
    const key = ruleKey(rule.op, rule.domain);
    if (map.has(key)) {
      throw new Error(`op "${key}" has two rules in the registry`);
    }
    map.set(key, rule);
  }
  return map;
}

export const registry: ReadonlyMap<string, OpRule> = index(RULES);

export function hasRule(op: string, domain?: string): boolean {
  return registry.has(ruleKey(op, domain));
}

export function getRule(op: string, domain?: string): OpRule {
  const rule = registry.get(ruleKey(op, domain));
  if (rule === undefined) {
    throw new Error(`no rule for op "${ruleKey(op, domain)}": it is not in the graph op registry (src/graph/registry.ts)`);
  }
  return rule;
}
