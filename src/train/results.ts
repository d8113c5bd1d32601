// The run record moved to src/results; this path stays for notebooks that still import
// '../dist/train/results' (they import from the barrels, '../dist/train', once updated).
export * from '../results';
