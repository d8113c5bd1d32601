// PLACEHOLDER (development only): replaced by the real implementation.
import * as tf from '@tensorflow/tfjs-core';
export class SparseAdam extends tf.Optimizer {
  static get className(): string { return 'TorchSparseAdam'; }
  constructor(_options?: Record<string, unknown>) { super(); throw new Error('SparseAdam: not implemented yet'); }
  applyGradients(): void { throw new Error('not implemented'); }
  getConfig(): tf.serialization.ConfigDict { return {}; }
}
