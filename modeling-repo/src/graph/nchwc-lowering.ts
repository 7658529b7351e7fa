/**
 * Lowers a standard NCHW graph onto ONNX Runtime's NCHWc kernels (domain com.microsoft.nchwc),
 * the rewrite ONNX Runtime itself applies to inference graphs whose filters are constants. A
 * training graph's filters are values computed from the parameter state, so ONNX Runtime cannot
 * do it there; this pass does it when the graph is generated, with the filters reordered inside
 * the graph (see ops/nchwc-layout.ts). The result computes the same function, and differentiates
 * through the NCHWc ops' own gradient rules, which stay blocked too.
 *
 * - Conv (dense group 1, or depthwise with one filter per channel) -> NchwcConv; a Relu or a
 *   constant-bounded Clip that is its only consumer is fused into it;
 * - elementwise ops whose tensor inputs are all blocked and of one shape run on blocked values.
 *   Their padding channels (zero after a conv) must stay finite: the next dense conv multiplies
 *   them by zero filter columns, and 0 * NaN would spread. So Div, which makes 0/0, is not one;
 * - anything else reads plain values: ReorderOutput is inserted once per blocked value.
 * Value names of the original graph are kept for its outputs and for every plain value.
 */
import { GraphBuilder } from './builder.js';
import { attr, numel, type Attrs, type Graph, type Node, type Tensor } from './ir.js';
import { convGeometry, type ConvGeometry } from './kernels/conv.js';
import { BLOCK_ATTR, blockFilter, filterForm, NCHWC_DOMAIN, padChannels, padFilter, reorderInput } from './ops/nchwc-layout.js';
import { toFloat64 } from './tensor.js';

export interface NchwcOptions {
  /** ONNX Runtime's NCHWc block size on this machine (8 with AVX2, 16 with AVX-512). */
  readonly block: number;
}

/** ONNX Runtime's ReorderInput needs channel counts that are multiples of 4. */
const REORDER_MULTIPLE = 4;
/** Elementwise ops that keep finite padding finite (see the header). */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Relu', 'Clip', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Identity']);

interface ConvPlan {
  readonly cin: number;
  readonly cout: number;
  readonly g: ConvGeometry;
  readonly depthwise: boolean;
}

interface Blocked {
  readonly name: string;
  /** Real channels (the blocked value has them rounded up to the block). */
  readonly channels: number;
}

class Lowering {
  readonly b: GraphBuilder;
  private readonly blocked = new Map<string, Blocked>();
  private readonly plain = new Set<string>();
  private readonly uses = new Map<string, Node[]>();
  private readonly fused = new Set<Node>();
  /** Conv -> the activation node fused into it. */
  private readonly fusedWith = new Map<Node, Node>();

  constructor(private readonly graph: Graph, private readonly block: number) {
    this.b = new GraphBuilder(graph.name, 'nchwc/');
    for (const v of graph.inputs) {
      this.b.input(v.name, v.dtype, v.shape);
      this.plain.add(v.name);
    }
    for (const [name, t] of graph.initializers) {
      this.b.initializer(name, t);
      this.plain.add(name);
    }
    for (const n of graph.nodes) {
      for (const i of n.inputs) {
        this.uses.set(i, [...(this.uses.get(i) ?? []), n]);
      }
    }
  }

  run(): Graph {
    for (const node of this.graph.nodes) {
      if (!this.fused.has(node)) {
        this.lower(node);
      }
    }
    for (const o of this.graph.outputs) {
      this.b.output(this.plainValue(o.name));
    }
    return this.b.build();
  }

  private lower(node: Node): void {
    if ((node.domain ?? '') === '' && node.op === 'Conv' && this.convBlocked(node)) {
      return;
    }
    if ((node.domain ?? '') === '' && ELEMENTWISE.has(node.op) && this.elementwiseBlocked(node)) {
      return;
    }
    this.b.addNode({ ...node, inputs: node.inputs.map((i) => (i === '' ? '' : this.plainValue(i))) });
    node.outputs.forEach((o) => this.plain.add(o));
  }

  /** The plain value of an original value: itself, or a ReorderOutput of its blocked form. */
  private plainValue(name: string): string {
    if (this.plain.has(name)) {
      return name;
    }
    const blocked = this.blocked.get(name);
    if (blocked === undefined) {
      throw new Error(`NCHWc lowering: value "${name}" is not defined`);
    }
    const attrs = { channels: attr.int(blocked.channels), channels_last: attr.int(0), [BLOCK_ATTR]: attr.int(this.block) };
    this.b.addNode({ op: 'ReorderOutput', domain: NCHWC_DOMAIN, inputs: [blocked.name], outputs: [name], attrs });
    this.plain.add(name);
    return name;
  }

  private shape(name: string): readonly (number | string)[] {
    return this.b.info(this.plain.has(name) ? name : (this.blocked.get(name)?.name ?? name)).shape;
  }

  /** The conv's input as NchwcConv takes it (blocked, or plain for a first layer), or null. */
  private convInput(x: string, channels: number, group: number): { name: string; blocked: boolean } | null {
    const known = this.blocked.get(x);
    if (known !== undefined) {
      return { name: known.name, blocked: true };
    }
    if (channels < this.block && group === 1) {
      return { name: x, blocked: false };
    }
    return channels % REORDER_MULTIPLE === 0 ? { name: reorderInput(this.b, x, this.block), blocked: true } : null;
  }

  private convBlocked(node: Node): boolean {
    const plan = this.convPlan(node);
    if (plan === null) {
      return false;
    }
    const input = this.convInput(node.inputs[0] ?? '', plan.cin, plan.g.group);
    if (input === null) {
      return false;
    }
    const out = this.b.op('Conv', this.convInputs(node, plan, input), this.convAttrs(node, plan), NCHWC_DOMAIN);
    const produced = this.fusedWith.get(node)?.outputs[0] ?? node.outputs[0] ?? '';
    this.blocked.set(produced, { name: out, channels: plan.cout });
    return true;
  }

  /** Channels and geometry of a conv NchwcConv can run (dense, or one filter per channel), else null. */
  private convPlan(node: Node): ConvPlan | null {
    const xs = this.shape(node.inputs[0] ?? '');
    const ws = this.b.info(node.inputs[1] ?? '').shape;
    if (!staticConvShapes(xs, ws)) {
      return null;
    }
    // Real channels: a blocked input's shape has them rounded up to the block.
    const cin = this.blocked.get(node.inputs[0] ?? '')?.channels ?? Number(xs[1]);
    const [cout, perGroup] = [Number(ws[0]), Number(ws[1])];
    const g = convGeometry(node.attrs, xs.slice(2), ws.slice(2).map(Number));
    const depthwise = g.group > 1 && g.group === cin && cout === cin && perGroup === 1;
    return g.group === 1 || depthwise ? { cin, cout, g, depthwise } : null;
  }

  /** X, the blocked filter (channels padded to the block) and the padded bias. */
  private convInputs(node: Node, plan: ConvPlan, input: { name: string; blocked: boolean }): string[] {
    const [, w = '', bias = ''] = node.inputs;
    const op = padChannels(plan.cout, this.block);
    const cinPadded = padChannels(plan.cin, this.block);
    const ip = plan.depthwise ? 1 : input.blocked ? cinPadded : plan.cin;
    const form = input.blocked ? filterForm(cinPadded, plan.g.group, this.block) : 'OIHWBo';
    const inputs = [input.name, blockFilter(this.b, padFilter(this.b, w, op, ip), form, this.block)];
    if (bias !== '') {
      inputs.push(op === plan.cout ? bias : this.b.op('Pad', [bias, this.b.int64s([0, op - plan.cout])]));
    }
    return inputs;
  }

  private convAttrs(node: Node, plan: ConvPlan): Attrs {
    const activation = this.fusableActivation(node);
    if (activation !== null) {
      this.fusedWith.set(node, activation.node);
    }
    return {
      kernel_shape: attr.ints([...plan.g.kernel]),
      strides: attr.ints([...plan.g.strides]),
      dilations: attr.ints([...plan.g.dilations]),
      pads: attr.ints([...plan.g.pads]),
      group: attr.int(plan.depthwise ? padChannels(plan.cout, this.block) : 1),
      ...(activation?.attrs ?? {}),
      [BLOCK_ATTR]: attr.int(this.block),
    };
  }

  /** A Relu or constant Clip that alone reads the conv's output, as NchwcConv attributes. */
  private fusableActivation(conv: Node): { node: Node; attrs: Attrs } | null {
    const out = conv.outputs[0] ?? '';
    const readers = this.uses.get(out) ?? [];
    const next = readers[0];
    if (readers.length !== 1 || next === undefined || this.graph.outputs.some((o) => o.name === out) || (next.domain ?? '') !== '') {
      return null;
    }
    if (next.op === 'Relu') {
      this.fused.add(next);
      return { node: next, attrs: { activation: attr.string('Relu') } };
    }
    const bounds = next.op === 'Clip' ? this.clipBounds(next) : null;
    if (bounds === null) {
      return null;
    }
    this.fused.add(next);
    return { node: next, attrs: { activation: attr.string('Clip'), activation_params: attr.floats(bounds) } };
  }

  private clipBounds(clip: Node): [number, number] | null {
    const value = (name: string | undefined, fallback: number): number | null => {
      if (name === undefined || name === '') {
        return fallback;
      }
      const t: Tensor | undefined = this.graph.initializers.get(name);
      return t === undefined || numel(t.dims) !== 1 ? null : (toFloat64(t)[0] ?? null);
    };
    const lo = value(clip.inputs[1], -Infinity);
    const hi = value(clip.inputs[2], Infinity);
    return lo === null || hi === null || !Number.isFinite(lo) ? null : [lo, hi];
  }

  private elementwiseBlocked(node: Node): boolean {
    const tensors = node.inputs.filter((i) => i !== '' && !this.isScalar(i));
    const first = this.blocked.get(tensors[0] ?? '');
    if (first === undefined || !tensors.every((i) => this.blocked.has(i) && sameDims(this.shape(i), this.shape(tensors[0] ?? '')))) {
      return false;
    }
    const inputs = node.inputs.map((i) => (i === '' ? '' : (this.blocked.get(i)?.name ?? i)));
    const [out] = this.b.node(node.op, inputs, node.attrs, 1);
    this.blocked.set(node.outputs[0] ?? '', { name: out ?? '', channels: first.channels });
    return true;
  }

  private isScalar(name: string): boolean {
    return this.plain.has(name) && numel(this.b.info(name).shape.map(Number)) === 1;
  }
}

/** 2-d conv shapes known but for the batch (evaluation graphs have a symbolic one). */
function staticConvShapes(xs: readonly (number | string)[], ws: readonly (number | string)[]): boolean {
  return xs.length === 4 && ws.length === 4 && [...xs.slice(1), ...ws].every((d) => typeof d === 'number');
}

function sameDims(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The graph with its convolutions (and what runs between them) on ONNX Runtime's NCHWc kernels. */
export function lowerToNchwc(graph: Graph, options: NchwcOptions): Graph {
  return new Lowering(graph, options.block).run();
}
