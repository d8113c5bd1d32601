// FUN_OPTIM_QUICK=1 (set by CI and `FUN_OPTIM_QUICK=1 npm run notebooks`) asks notebooks to run
// small: fewer steps and examples, same code paths.

export const quick = process.env.FUN_OPTIM_QUICK === '1';

/** `small` in quick runs, `full` otherwise. */
export function quickOr<T>(small: T, full: T): T {
  return quick ? small : full;
}
