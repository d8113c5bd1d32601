// A whole run: train for the configured epochs, evaluate after each, and write the run's JSON after
// every epoch, so that a crash or an interrupt loses nothing already computed.
import type { Dataset } from '../data/datasets';
import { TrainConfig } from './config';
import type { KernelChoice } from './program';
import { ProgressReporter } from './progress';
import { EpochResult, RunRecord, writeRunRecord } from '../results';
import { Trainer } from './trainer';

export interface RunOptions {
  /** What runs, for the record: 'tensorflow', 'tensorflow-gpu' or 'cpu'. */
  backend: string;
  kernels?: KernelChoice;
  /** Where the JSON goes (written after each epoch); none: not written. */
  out?: string;
  reporter?: ProgressReporter;
  /** An already loaded dataset (the sweep loads it once). */
  dataset?: Dataset;
}

/** The config's scheduler, bias group and second optimizer, for the run's first line. */
function describeExtras(config: TrainConfig): string {
  const parts = [
    config.others ? `, ${config.others.optimizer} ${JSON.stringify(config.others.options)} for the rest` : '',
    config.no_decay_biases ? ', no weight decay on the biases' : '',
    config.scheduler ? `, ${config.scheduler.name} ${JSON.stringify(config.scheduler.options)} per ${config.scheduler.interval}` : '',
  ];
  return parts.join('');
}

export function runTraining(config: TrainConfig, options: RunOptions): RunRecord {
  const trainer = new Trainer(config, options.kernels, options.dataset);
  const record: RunRecord = { config, backend: options.backend, epochs: [] };
  const { reporter, out } = options;
  try {
    reporter?.line(
      `${config.optimizer} ${JSON.stringify(config.optimizer_options)}${describeExtras(config)} on ${config.dataset} (${trainer.train.count} training images), ` +
        `net ${config.net}, batch ${config.batch_size}, seed ${config.seed}; ${options.backend} backend, ${trainer.program.kind} kernels`,
    );
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const { trainLoss, seconds } = trainer.trainEpoch(epoch, (p) => reporter?.progress(p, config.epochs));
      const { testLoss, testAcc } = trainer.evaluate();
      const lr = trainer.endEpoch(trainLoss);
      const result: EpochResult = { epoch, train_loss: trainLoss, test_loss: testLoss, test_acc: testAcc, train_seconds: seconds, ...(lr !== undefined ? { lr } : {}) };
      record.epochs.push(result);
      if (out) writeRunRecord(out, record);
      reporter?.epochDone(result, config.epochs);
    }
  } finally {
    trainer.dispose();
  }
  return record;
}
