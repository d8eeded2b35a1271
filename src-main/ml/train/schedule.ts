/**
 * Learning-rate and momentum schedules, per optimisation step.
 *
 * warmupCosine follows the closed form of LinearWarmupCosineAnnealingLR (pl_bolts), which
 * solo-learn uses with `scheduler: warmup_cosine` and `interval: step`: a linear ramp from
 * `warmupStartLr` that reaches `baseLr` at step warmupSteps − 1, then a half cosine from
 * `baseLr` at step warmupSteps down to `minLr` at step totalSteps.
 */
export interface WarmupCosine {
  baseLr: number;
  totalSteps: number;
  warmupSteps: number;
  warmupStartLr?: number;
  minLr?: number;
}

export function warmupCosineLr(step: number, s: WarmupCosine): number {
  const start = s.warmupStartLr ?? 0;
  const min = s.minLr ?? 0;
  if (s.totalSteps <= 0) throw new Error('schedule: totalSteps must be positive');
  if (step < s.warmupSteps) {
    if (s.warmupSteps === 1) return s.baseLr;
    return start + (step * (s.baseLr - start)) / (s.warmupSteps - 1);
  }
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return min + 0.5 * (s.baseLr - min) * (1 + Math.cos(Math.PI * progress));
}

/**
 * The EMA coefficient τ of BYOL's target network (Grill et al. 2020, §3.2; solo-learn's
 * MomentumUpdater): τ = τ_final − (τ_final − τ_base)·(cos(π·k/K) + 1)/2, from τ_base at step 0
 * to τ_final at the last step K.
 */
export function cosineMomentum(step: number, totalSteps: number, base: number, final = 1): number {
  if (totalSteps <= 0) return final;
  const k = Math.min(step, totalSteps);
  return final - (final - base) * ((Math.cos((Math.PI * k) / totalSteps) + 1) / 2);
}
