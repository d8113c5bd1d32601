// The schedulers made of schedulers, as torch.optim.lr_scheduler has them. SequentialLR hands the
// schedule from one scheduler to the next at each milestone; ChainedScheduler steps them all, in
// order, at every step (so chainable ones multiply and the others overwrite).
//
// State saving covers the nested schedulers and the groups' values, so that a SequentialLR or a
// ChainedScheduler restored mid-run continues exactly as the uninterrupted run (torch's own
// SequentialLR does not: pytorch#162591, #185872).
import { check } from '../options';
import { JsonObject, LRScheduler, SchedulableOptimizer, Scheduler, SchedulerState, prepareScheduler } from './scheduler';
import { ReduceLROnPlateau } from './plateau';

function requireNested(name: string, optimizer: SchedulableOptimizer, schedulers: unknown): asserts schedulers is Scheduler[] {
  check(
    Array.isArray(schedulers) && schedulers.length > 0,
    `${name} expects at least one scheduler, but got no scheduler (pass schedulers: [...] made by createScheduler).`,
  );
  (schedulers as unknown[]).forEach((s, i) => {
    check(s instanceof Scheduler, `${name}: schedulers[${i}] is not a scheduler; make it with createScheduler on the same optimizer.`);
    check(
      !(s instanceof ReduceLROnPlateau),
      `${name} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`,
    );
    check(
      (s as Scheduler).optimizer === optimizer,
      `${name} expects all schedulers to belong to the same optimizer, but got scheduler ${(s as Scheduler).name} at index ${i} with another optimizer.`,
    );
  });
}

/** What the composites share: nested schedulers, saved and restored with them. */
abstract class CompositeScheduler extends Scheduler {
  constructor(
    name: string,
    optimizer: SchedulableOptimizer,
    config: Record<string, unknown>,
    readonly schedulers: readonly Scheduler[],
  ) {
    super(name, optimizer, config);
  }

  override cyclesMomentum(): boolean {
    return this.schedulers.some((s) => s.cyclesMomentum());
  }

  override saveTree(): SchedulerState {
    return { ...super.saveTree(), schedulers: this.schedulers.map((s) => s.saveTree()) };
  }

  override checkLoadable(saved: SchedulerState): void {
    super.checkLoadable(saved);
    check(
      Array.isArray(saved.schedulers) && saved.schedulers.length === this.schedulers.length,
      `${this.name}.loadStateDict: the state holds ${saved.schedulers?.length ?? 0} nested schedulers, this one has ${this.schedulers.length}.`,
    );
    this.schedulers.forEach((s, i) => s.checkLoadable(saved.schedulers![i]));
  }

  override restoreTree(saved: SchedulerState): void {
    super.restoreTree(saved);
    this.schedulers.forEach((s, i) => s.restoreTree(saved.schedulers![i]));
  }
}

export interface SequentialLROptions {
  schedulers: Scheduler[];
  milestones: number[];
  lastEpoch: number;
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` from its epoch 0, and so on. Made,
 * it resets every group's lr to its `initialLr`, undoes the first step of every nested scheduler
 * and re-makes the first one's. With `lastEpoch` N it continues as the uninterrupted run would after
 * N + 1 steps (torch's does not: pytorch#162591).
 */
export class SequentialLR extends CompositeScheduler {
  private readonly milestones: number[];
  lastEpoch: number;
  private readonly leaves: LRScheduler[];

  constructor(optimizer: SchedulableOptimizer, options: Partial<SequentialLROptions>) {
    const name = 'SequentialLR';
    const o = prepareScheduler(name, optimizer, { schedulers: null, milestones: null, lastEpoch: -1 }, options, ['schedulers', 'milestones']);
    const schedulers = o.schedulers as unknown;
    requireNested(name, optimizer, schedulers);
    schedulers.forEach((s, i) =>
      check(
        s instanceof LRScheduler,
        `${name}: schedulers[${i}] is a ${s.name}; SequentialLR takes single schedulers (put a ChainedScheduler around the SequentialLR instead).`,
      ),
    );
    const milestones = o.milestones as unknown as number[];
    check(
      Array.isArray(milestones) && milestones.every((m) => Number.isInteger(m)),
      `${name}: milestones must be an array of integers, got ${JSON.stringify(milestones)}.`,
    );
    check(
      milestones.length === schedulers.length - 1,
      `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
    );
    schedulers.forEach((s, i) =>
      check(
        o.lastEpoch === -1 || (s as LRScheduler).lastEpoch === 0,
        `${name}: with lastEpoch ${o.lastEpoch} it replays its schedulers from the start, so make them with lastEpoch -1 (schedulers[${i}] is at epoch ${(s as LRScheduler).lastEpoch}).`,
      ),
    );
    optimizer.paramGroups.forEach((group, i) =>
      check(typeof group.initialLr === 'number', `${name}: paramGroups[${i}] has no initialLr; its schedulers set it when made.`),
    );

    super(name, optimizer, o, schedulers);
    this.leaves = schedulers as LRScheduler[];
    this.milestones = [...milestones];
    this.lastEpoch = 0;
    for (const group of optimizer.paramGroups) group.lr = group.initialLr;
    for (const s of this.leaves) s.stepBack();
    this.leaves[0].initialStep();
    this.lastLrs = this.leaves[0].getLastLr();
    // Resuming by epoch: replay the steps, so that every nested scheduler is where the run left it.
    for (let epoch = 0; epoch <= o.lastEpoch; epoch++) this.step();
  }

  step(epoch?: number): void {
    this.refuseStepArgument(epoch);
    this.lastEpoch += 1;
    const index = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.leaves[index];
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.updateLr(0);
    else scheduler.step();
    this.lastLrs = scheduler.getLastLr();
  }

  protected saveState(): JsonObject {
    return { lastEpoch: this.lastEpoch };
  }
  protected restoreState(state: JsonObject): void {
    this.lastEpoch = state.lastEpoch as number;
  }
}

export interface ChainedSchedulerOptions {
  schedulers: Scheduler[];
}

/** Steps every scheduler, in order, at each step. */
export class ChainedScheduler extends CompositeScheduler {
  constructor(optimizer: SchedulableOptimizer, options: Partial<ChainedSchedulerOptions>) {
    const name = 'ChainedScheduler';
    const o = prepareScheduler(name, optimizer, { schedulers: null }, options, ['schedulers']);
    const schedulers = o.schedulers as unknown;
    requireNested(name, optimizer, schedulers);
    super(name, optimizer, o, schedulers);
    this.lastLrs = this.groupLrs();
  }

  step(epoch?: number): void {
    this.refuseStepArgument(epoch);
    for (const s of this.schedulers) s.step();
    this.lastLrs = this.groupLrs();
  }

  protected saveState(): JsonObject {
    return {};
  }
  protected restoreState(): void {}
}
