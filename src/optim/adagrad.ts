// PLACEHOLDER (development only): replaced by the real implementation.
import * as tf from '@tensorflow/tfjs-core';
export class Adagrad extends tf.Optimizer {
  static get className(): string { return 'TorchAdagrad'; }
  constructor(_options?: Record<string, unknown>) { super(); throw new Error('Adagrad: not implemented yet'); }
  applyGradients(): void { throw new Error('not implemented'); }
  getConfig(): tf.serialization.ConfigDict { return {}; }
}
