// Data loading: IDX files, MNIST and Fashion-MNIST, normalisation, seeded shuffling, device batches.
export * from './idx';
export * from './datasets';
export * from './normalization';
export * from './random';
export * from './batches';
