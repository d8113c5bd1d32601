// Normalisation as torchvision does it (ToTensor then Normalize): x = (pixel / 255 - mean) / std, each
// step rounded to float32 as PyTorch computes it. A pixel has 256 values, so a table does it exactly.

/** The 256 normalised values of a byte pixel. */
export function normalizationTable(mean: number, std: number): Float32Array {
  const table = new Float32Array(256);
  const mean32 = Math.fround(mean);
  const std32 = Math.fround(std);
  for (let v = 0; v < 256; v++) table[v] = Math.fround(Math.fround(v / 255) - mean32) / std32;
  return table;
}

/** Normalised float32 copies of byte images. */
export function normalizeImages(pixels: Uint8Array, mean: number, std: number): Float32Array {
  const table = normalizationTable(mean, std);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = table[pixels[i]];
  return out;
}

/** Mean and (population) standard deviation of pixel / 255, as the constants above are computed. */
export function pixelStatistics(pixels: Uint8Array): { mean: number; std: number } {
  const histogram = new Float64Array(256);
  for (let i = 0; i < pixels.length; i++) histogram[pixels[i]]++;
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += histogram[v] * (v / 255);
  const mean = sum / pixels.length;
  let squares = 0;
  for (let v = 0; v < 256; v++) squares += histogram[v] * (v / 255 - mean) ** 2;
  return { mean, std: Math.sqrt(squares / pixels.length) };
}
