/**
 * Optimisers with PyTorch's update rules, so hyper-parameters from the papers' official code
 * carry over unchanged. tfjs has no LARS or AdamW, and its momentum optimiser differs from
 * torch.optim.SGD in when weight decay enters; these implement the torch semantics:
 * - SGD: torch.optim.SGD (coupled L2 weight decay, dampening, optional Nesterov).
 * - LARS: as in solo-learn's solo/utils/lars.py (You et al. 2017, trust ratio η‖p‖/(‖g‖+wd‖p‖+ε),
 *   optional clipping of the layer lr, bias and norm parameters (ndim 1) excluded from both the
 *   trust ratio and weight decay), followed by SGD momentum.
 * - AdamW: torch.optim.AdamW (decoupled weight decay, bias-corrected moments).
 * The learning rate is passed to each step (it comes from the schedule). Parameter groups (a
 * method's `paramGroups()`) override the lr (scaled, or fixed at the base lr), the weight decay
 * and LARS's trust ratio for their variables; the others follow the config. All buffers are
 * tfjs variables owned by the optimiser: call dispose(). No step reads tensor values back to JS.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamGroup, ParamGroupOptions } from '../methods/types';

export type OptimizerName = 'sgd' | 'lars' | 'adamw';

export interface OptimizerConfig {
  name: OptimizerName;
  weightDecay: number;
  /** SGD and LARS. */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** LARS trust coefficient (solo-learn CIFAR configs use 0.02). */
  eta?: number;
  eps?: number;
  clipLr?: boolean;
  /** Exclude parameters with ndim 1 (biases, batch-norm γ/β) from weight decay (and LARS scaling). */
  excludeBiasAndNorm?: boolean;
  /** AdamW. */
  beta1?: number;
  beta2?: number;
}

/** Serialisable optimiser state for checkpoints: step count and every buffer's values. */
export interface OptimizerState {
  name: OptimizerName;
  step: number;
  buffers: Record<string, { shape: number[]; values: number[] | Float32Array }>;
}

export class Optimizer {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly buffers = new Map<string, tf.Variable>();
  private readonly groupOf = new Map<string, ParamGroupOptions>();
  private stepCounts = new Map<string, number>();
  private steps = 0;
  readonly config: Required<OptimizerConfig>;

  constructor(variables: tf.Variable[], config: OptimizerConfig, groups: readonly ParamGroup[] = []) {
    for (const v of variables) {
      if (this.vars.has(v.name)) throw new Error(`optimizer: duplicate variable name ${v.name}`);
      this.vars.set(v.name, v);
    }
    for (const g of groups) {
      if (g.weightDecay !== undefined && !(g.weightDecay >= 0)) throw new Error(`optimizer: group ${g.name}: weight decay must be ≥ 0, got ${g.weightDecay}`);
      if (g.lrScale !== undefined && !(g.lrScale >= 0)) throw new Error(`optimizer: group ${g.name}: lrScale must be ≥ 0, got ${g.lrScale}`);
      for (const v of g.variables) {
        if (!this.vars.has(v.name)) throw new Error(`optimizer: group ${g.name} holds ${v.name}, which is not optimised`);
        if (this.groupOf.has(v.name)) throw new Error(`optimizer: ${v.name} is in two parameter groups`);
        this.groupOf.set(v.name, g);
      }
    }
    const isLars = config.name === 'lars';
    this.config = {
      momentum: 0,
      dampening: 0,
      nesterov: false,
      eta: 1e-3,
      eps: 1e-8,
      clipLr: false,
      excludeBiasAndNorm: isLars,
      beta1: 0.9,
      beta2: 0.999,
      ...config,
    };
    const c = this.config;
    if (c.weightDecay < 0) throw new Error(`optimizer: weight decay must be ≥ 0, got ${c.weightDecay}`);
    if (c.nesterov && (c.momentum <= 0 || c.dampening !== 0)) {
      throw new Error('optimizer: Nesterov momentum requires a momentum and zero dampening');
    }
  }

  get step(): number {
    return this.steps;
  }

  /**
   * One update of every variable that has a gradient in `grads` (keyed by variable name), at the
   * scheduled `lr`; a group with a fixed lr uses `baseLr` (the schedule's peak) instead.
   */
  apply(grads: tf.NamedTensorMap, lr: number, baseLr = lr): void {
    this.steps += 1;
    for (const [name, g] of Object.entries(grads)) {
      const p = this.vars.get(name);
      if (!p) throw new Error(`optimizer: gradient for unknown variable ${name}`);
      const group = this.groupOf.get(name);
      const varLr = group ? (group.fixedLr ? baseLr : lr) * (group.lrScale ?? 1) : lr;
      const wd = this.excluded(p) ? 0 : (group?.weightDecay ?? this.config.weightDecay);
      if (this.config.name === 'adamw') this.adamw(name, p, g, varLr, wd);
      else this.sgdOrLars(name, p, g, varLr, wd, group?.excludeFromLars ?? false);
    }
  }

  private excluded(p: tf.Variable): boolean {
    return this.config.excludeBiasAndNorm && p.rank === 1;
  }

  /** A buffer variable, created from `init` on first use (inside tidy: no stray tensor). */
  private buffer(key: string, init: () => tf.Tensor): tf.Variable {
    let v = this.buffers.get(key);
    if (!v) {
      v = tf.tidy(() => tf.variable(init(), false));
      this.buffers.set(key, v);
    }
    return v;
  }

  private sgdOrLars(name: string, p: tf.Variable, g: tf.Tensor, lr: number, wd: number, noTrust: boolean): void {
    const c = this.config;
    tf.tidy(() => {
      let d: tf.Tensor;
      if (c.name === 'lars' && !noTrust) {
        if (this.excluded(p)) d = g;
        else {
          const pn = tf.norm(p);
          const gn = tf.norm(g);
          let trust = tf.div(tf.mul(pn, c.eta), tf.add(tf.add(gn, tf.mul(pn, wd)), c.eps));
          if (c.clipLr) trust = tf.minimum(tf.div(trust, lr), 1);
          const scaled = tf.mul(tf.add(g, tf.mul(p, wd)), trust);
          const active = tf.logicalAnd(tf.greater(pn, 0), tf.greater(gn, 0));
          d = tf.where(active, scaled, g);
        }
      } else {
        d = wd > 0 ? tf.add(g, tf.mul(p, wd)) : g;
      }
      if (c.momentum !== 0) {
        // torch: the first step's buffer is d itself, later ones m·buf + (1 − dampening)·d.
        const key = `${name}/momentum`;
        const existing = this.buffers.get(key);
        let buf: tf.Tensor;
        if (!existing) {
          buf = d;
          this.buffer(key, () => tf.clone(d));
        } else {
          buf = tf.add(tf.mul(existing, c.momentum), tf.mul(d, 1 - c.dampening));
          existing.assign(buf);
        }
        d = c.nesterov ? tf.add(d, tf.mul(buf, c.momentum)) : buf;
      }
      p.assign(tf.sub(p, tf.mul(d, lr)));
    });
  }

  private adamw(name: string, p: tf.Variable, g: tf.Tensor, lr: number, wd: number): void {
    const c = this.config;
    const m = this.buffer(`${name}/m`, () => tf.zerosLike(p));
    const v = this.buffer(`${name}/v`, () => tf.zerosLike(p));
    const t = this.stepOf(name); // per-variable count, as torch keeps state['step'] per parameter
    tf.tidy(() => {
      const decayed = wd > 0 ? tf.mul(p, 1 - lr * wd) : p;
      const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(g, 1 - c.beta1));
      const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
      m.assign(m1);
      v.assign(v1);
      const bc1 = 1 - c.beta1 ** t;
      const bc2 = 1 - c.beta2 ** t;
      const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(bc2)), c.eps);
      p.assign(tf.sub(decayed, tf.mul(tf.div(m1, denom), lr / bc1)));
    });
  }

  /** Per-variable step count for AdamW's bias correction. */
  private stepOf(name: string): number {
    const key = `${name}/step`;
    const t = (this.stepCounts.get(key) ?? 0) + 1;
    this.stepCounts.set(key, t);
    return t;
  }

  async getState(): Promise<OptimizerState> {
    const buffers: OptimizerState['buffers'] = {};
    for (const [key, v] of this.buffers) buffers[key] = { shape: v.shape, values: (await v.data()) as Float32Array };
    for (const [key, n] of this.stepCounts) buffers[key] = { shape: [], values: [n] };
    return { name: this.config.name, step: this.steps, buffers };
  }

  setState(state: OptimizerState): void {
    if (state.name !== this.config.name) {
      throw new Error(`optimizer: checkpoint holds ${state.name} state, this run uses ${this.config.name}`);
    }
    this.disposeBuffers();
    this.steps = state.step;
    this.stepCounts = new Map();
    for (const [key, b] of Object.entries(state.buffers)) {
      if (key.endsWith('/step')) this.stepCounts.set(key, Number(b.values[0]));
      else this.buffer(key, () => tf.tensor(Float32Array.from(b.values), b.shape, 'float32'));
    }
  }

  private disposeBuffers(): void {
    for (const v of this.buffers.values()) v.dispose();
    this.buffers.clear();
  }

  dispose(): void {
    this.disposeBuffers();
  }
}
