// The learning-rate sensitivity grid (notebook 18): every sweep entry at five learning rates a
// factor √10 apart around its own (the setup's lr, else PyTorch's default), a 100× span, two seeds,
// two epochs on MNIST. The grid is sized for a 2-core machine: ~150 short runs, about an hour.
// The centre rate is the sweep's own setting, so its runs are the sweep's seeds 1 and 2 read to
// the grid's epochs (training with the same seed is the same up to there); the other rates are
// runs of their own in outputs/runs, named by the usual rule (`mnist-seed-adam-1-e2-lr=0.00316.json`).
import { optimizers } from '../optim';
import * as path from 'node:path';
import { defaultRunFile, entryOptions, entryRequest, RESULTS_DIR, SweepEntry, sweepEntries, TrainConfig } from '../results';
import { configFor, sweepRunConfig } from './config';

export const LR_GRID_DATASET = 'mnist' as const;
export const LR_GRID_EPOCHS = 2;
/** The grid's table (written by `npm run lr-sensitivity`), relative to the project root. */
export const LR_SENSITIVITY_TABLE = path.join(RESULTS_DIR, `lr-sensitivity-${LR_GRID_DATASET}.csv`);
export const LR_GRID_SEEDS: readonly number[] = [1, 2];
/** Powers of ten applied to the centre rate. */
export const LR_GRID_EXPONENTS: readonly number[] = [-1, -0.5, 0, 0.5, 1];

/** The rate the entry trains with in the sweep: its setup's, else its optimizer's default. */
export function centreLr(entry: SweepEntry): number {
  const options = entryOptions(entry);
  if (typeof options.lr === 'number') return options.lr;
  // The optimizer's own default, as its constructor fills it in (no variables: nothing allocated).
  const Optimizer = optimizers[entry.optimizer] as unknown as new (options: Record<string, unknown>) => { lr: number };
  return new Optimizer(options).lr;
}

/** The grid's rates for an entry, rounded to 3 significant digits so that run names stay short. */
export function gridRates(entry: SweepEntry): number[] {
  const centre = centreLr(entry);
  return LR_GRID_EXPONENTS.map((exponent) => (exponent === 0 ? centre : Number((centre * 10 ** exponent).toPrecision(3))));
}

export interface GridRun {
  entry: SweepEntry;
  lr: number;
  seed: number;
  /** The run to read: the sweep's own (10 epochs) at the centre rate, a run of the grid's epochs elsewhere. */
  config: TrainConfig;
  file: string;
}

/**
 * The config of an entry at another rate. Muon's rate is set for both of its optimizers: with
 * adjustLrFn 'match_rms_adamw' its update has AdamW's scale, and one rate is what the recipe tunes.
 */
function gridConfig(entry: SweepEntry, lr: number, seed: number): TrainConfig {
  const request = entryRequest(entry);
  const others = request.others ? { ...request.others, options: { ...request.others.options, lr } } : null;
  return configFor({
    ...request,
    optimizer_options: { ...request.optimizer_options, lr },
    others,
    dataset: LR_GRID_DATASET,
    seed,
    epochs: LR_GRID_EPOCHS,
  });
}

/** Every run the grid reads, entry by entry, rate by rate, seed by seed. */
export function lrGridRuns(entries: readonly SweepEntry[] = sweepEntries): GridRun[] {
  return entries.flatMap((entry) => {
    const centre = centreLr(entry);
    return gridRates(entry).flatMap((lr) =>
      LR_GRID_SEEDS.map((seed) => {
        const config =
          lr === centre
            ? sweepRunConfig(entry, LR_GRID_DATASET, seed)
            : gridConfig(entry, lr, seed);
        return { entry, lr, seed, config, file: defaultRunFile(config) };
      }),
    );
  });
}
