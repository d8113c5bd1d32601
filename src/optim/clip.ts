// Gradient clipping as torch.nn.utils computes it, on a map of gradients keyed by variable name:
//   clipGradNorm: total = ‖(‖g_1‖_p, ..., ‖g_n‖_p)‖_p (for 'inf': the largest |g|), and every
//                 gradient times min(1, maxNorm / (total + 1e-6)), that coefficient in float32;
//   clipGradValue: every element clamped to [-clipValue, clipValue].
// The results are new tensors (the caller disposes them); the inputs are left as they were.
// Optimizers take the same clipping as options, applied inside applyGradients (for model.fit).
import * as tf from '@tensorflow/tfjs-core';
import { check, describe, OptimizerOptionError } from './options';

/** A p-norm's order: a positive number, or 'inf' (Infinity too) for the largest absolute value. */
export type NormType = number | 'inf';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite, instead of scaling by it (PyTorch's error_if_nonfinite). */
  errorIfNonfinite?: boolean;
}

/** The clipping an optimizer applies to the whole gradient map of each applyGradients call. */
export interface GradientClipping {
  /** clip_grad_norm_'s max_norm over all the gradients of a step; null: no norm clipping. */
  clipGradNorm: number | null;
  /** The norm's order (2 by default). */
  clipGradNormType: NormType;
  /** clip_grad_value_'s clip_value, applied after the norm clipping; null: no value clipping. */
  clipGradValue: number | null;
}

/**
 * torch.nn.utils.clip_grad_norm_: scales every gradient by min(1, maxNorm / (totalNorm + 1e-6)).
 * Returns the clipped gradients (new tensors) and the total norm before clipping.
 */
export function clipGradNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
  normType: NormType = 2,
  { errorIfNonfinite = false }: ClipGradNormOptions = {},
): { grads: tf.NamedTensorMap; totalNorm: number } {
  const names = checkedGradients('clipGradNorm', grads);
  checkMaxNorm('clipGradNorm: maxNorm', maxNorm);
  const p = checkedNormType('clipGradNorm: normType', normType);
  if (names.length === 0) return { grads: {}, totalNorm: 0 };
  const total = tf.tidy(() => totalNorm(names.map((n) => grads[n]), p));
  const totalValue = total.dataSync()[0];
  if (errorIfNonfinite && !Number.isFinite(totalValue)) {
    total.dispose();
    throw new Error(
      `clipGradNorm: the total norm of order ${normType} of the gradients is non-finite (${totalValue}), so it cannot be clipped. ` +
        'To scale the gradients by the non-finite norm anyway, leave errorIfNonfinite false.',
    );
  }
  const clipped = tf.tidy(() => {
    const coefficient = clipCoefficient(total, maxNorm);
    return Object.fromEntries(names.map((n) => [n, tf.mul(grads[n], coefficient)]));
  });
  total.dispose();
  return { grads: clipped, totalNorm: totalValue };
}

/** torch.nn.utils.clip_grad_value_: every element clamped to [-clipValue, clipValue] (new tensors). */
export function clipGradValue(grads: tf.NamedTensorMap, clipValue: number): tf.NamedTensorMap {
  const names = checkedGradients('clipGradValue', grads);
  checkClipValue('clipGradValue: clipValue', clipValue);
  return Object.fromEntries(names.map((n) => [n, tf.clipByValue(grads[n], -clipValue, clipValue)]));
}

/** The clipping options of an optimizer, checked; absent ones are off. */
export function resolveClipping(optimizer: string, given: Record<string, unknown> | undefined): GradientClipping {
  // An option given as undefined is refused, as every other option is (destructuring defaults would take it as absent).
  for (const key of ['clipGradNorm', 'clipGradNormType', 'clipGradValue']) {
    if (given && Object.hasOwn(given, key) && given[key] === undefined) {
      throw new OptimizerOptionError(`${optimizer} option '${key}' must be ${key === 'clipGradNormType' ? "a number > 0 or 'inf'" : 'a number or null'}, got undefined (leave the option out for its default).`);
    }
  }
  const { clipGradNorm = null, clipGradNormType = 2, clipGradValue = null } = given ?? {};
  if (clipGradNorm !== null) checkMaxNorm(`${optimizer} option 'clipGradNorm'`, clipGradNorm);
  const normType = checkedNormType(`${optimizer} option 'clipGradNormType'`, clipGradNormType);
  if (clipGradValue !== null) checkClipValue(`${optimizer} option 'clipGradValue'`, clipGradValue);
  return Object.freeze({
    clipGradNorm: clipGradNorm as number | null,
    clipGradNormType: normType === Infinity ? 'inf' : normType,
    clipGradValue: clipGradValue as number | null,
  });
}

/** The gradients of one step, clipped as the optimizer's options say (inside the caller's tidy). */
export function clipInStep(grads: tf.Tensor[], clipping: GradientClipping): tf.Tensor[] {
  let out = grads;
  if (clipping.clipGradNorm !== null && grads.length > 0) {
    const coefficient = clipCoefficient(totalNorm(grads, orderOf(clipping.clipGradNormType)), clipping.clipGradNorm);
    out = out.map((g) => tf.mul(g, coefficient));
  }
  const value = clipping.clipGradValue;
  if (value !== null) out = out.map((g) => tf.clipByValue(g, -value, value));
  return out;
}

/** min(1, maxNorm / (total + 1e-6)) as a float32 scalar, as PyTorch clamps it. */
function clipCoefficient(total: tf.Tensor, maxNorm: number): tf.Tensor {
  return tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(total, 1e-6)), 1);
}

/** The p-norm of the per-tensor p-norms (for p = Infinity: the largest |g|). */
function totalNorm(grads: tf.Tensor[], p: number): tf.Tensor {
  const norms = grads.map((g) => vectorNorm(tf.reshape(g, [-1]), p));
  return norms.length === 1 ? norms[0] : vectorNorm(tf.stack(norms), p);
}

function vectorNorm(x: tf.Tensor, p: number): tf.Tensor {
  if (p === Infinity) return x.size === 0 ? tf.scalar(0) : tf.max(tf.abs(x));
  if (p === 1) return tf.sum(tf.abs(x));
  if (p === 2) return tf.sqrt(tf.sum(tf.square(x)));
  return tf.pow(tf.sum(tf.pow(tf.abs(x), p)), 1 / p);
}

function orderOf(normType: NormType): number {
  return normType === 'inf' ? Infinity : normType;
}

function checkedGradients(where: string, grads: tf.NamedTensorMap): string[] {
  if (grads === null || typeof grads !== 'object' || Array.isArray(grads)) {
    throw new OptimizerOptionError(`${where}: grads must be {[variableName]: tf.Tensor}, got ${describe(grads)}.`);
  }
  const names = Object.keys(grads);
  for (const n of names) {
    const g = grads[n];
    if (!(g instanceof tf.Tensor) || g.isDisposed) throw new OptimizerOptionError(`${where}: grads['${n}'] is not a live tf.Tensor (${describe(g)}).`);
  }
  return names;
}

function checkMaxNorm(what: string, value: unknown): void {
  check(typeof value === 'number' && value >= 0, `${what} must be a number >= 0, got ${describe(value)}.`);
}

function checkClipValue(what: string, value: unknown): void {
  check(typeof value === 'number' && Number.isFinite(value) && value >= 0, `${what} must be a finite number >= 0, got ${describe(value)}.`);
}

function checkedNormType(what: string, value: unknown): number {
  const p = value === 'inf' ? Infinity : value;
  check(typeof p === 'number' && p > 0, `${what} must be a number > 0 or 'inf', got ${describe(value)}.`);
  return p as number;
}
