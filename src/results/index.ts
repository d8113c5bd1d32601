// Results: the one module for run records (schema, files), run and table names, the results table
// in CSV, and averaging over seeds. Training, the sweep, the README figures and the notebooks all
// read and write results through it.
export * from './schema';
export * from './files';
export * from './names';
export * from './table';
