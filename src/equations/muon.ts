// Muon as torch.optim.Muon (2.13) computes it, for 2-D parameters. A tensor rule: the momentum
// buffer is a lerp, B = mu B + (1 - mu) g (PyTorch's docstring says mu B + g); the direction
// (Nesterov's g + mu (B - g), or B) is orthogonalised by the quintic Newton-Schulz iteration on its
// wide orientation, after dividing by its Frobenius norm (at least eps); the step is lr times a
// shape factor, the weight decay uses the plain lr. PyTorch runs the iteration in bfloat16; here it
// runs in float64, on mathjs matrices.
import { EquationsDefinition, gradientLine, refuse, scalarOptions, when } from './core';

export const muon: EquationsDefinition = {
  name: 'muon',
  title: 'Muon',
  granularity: 'tensor',
  exampleShape: [3, 5],
  defaults: {
    lr: 1e-3,
    weightDecay: 0.1,
    momentum: 0.95,
    nesterov: true,
    nsCoefficients: [3.4445, -4.775, 2.0315],
    eps: 1e-7,
    nsSteps: 5,
    adjustLrFn: null,
  },
  validate: (o) => {
    refuse((o.lr as number) >= 0, `Learning rate should be >= 0 but is: ${o.lr}`);
    refuse((o.momentum as number) >= 0, `momentum should be >= 0 but is: ${o.momentum}`);
    refuse((o.weightDecay as number) >= 0, `weight decay should be >= 0 but is: ${o.weightDecay}`);
    refuse([null, 'original', 'match_rms_adamw'].includes(o.adjustLrFn as string | null), `Adjust learning rate function ${o.adjustLrFn} is not supported`);
    refuse(Number.isInteger(o.nsSteps) && (o.nsSteps as number) >= 0 && (o.nsSteps as number) < 100, `Invalid ns_steps value: ${o.nsSteps}`);
  },
  constants: (o, shape) => {
    const [a, b, c] = o.nsCoefficients as readonly number[];
    const [rows, cols] = shape;
    return { ...scalarOptions(o), a, b, c, rows, cols };
  },
  symbols: {
    momentum: '\\mu',
    momentumBuffer: { timed: 'B' },
    u: '\\widetilde{B}_t',
    O: 'O_t',
    adjustedLr: '\\eta_{\\mathrm{adj}}',
    eps: '\\varepsilon',
  },
  state: () => ({ momentumBuffer: { init: '0' } }),
  lines: (o, shape) => {
    refuse(shape.length === 2, `Muon only supports 2D parameters whereas we found a parameter with size: [${shape.join(', ')}]`);
    const tall = shape[0] > shape[1];
    return [
      gradientLine(o),
      ['momentumBuffer = momentum * momentumBuffer + (1 - momentum) * g', 'momentum buffer (a lerp towards g)'],
      o.nesterov ? ['u = g + momentum * (momentumBuffer - g)', 'Nesterov direction'] : ['u = momentumBuffer', 'direction'],
      tall
        ? ['X = transpose(u) / max(norm(u, "fro"), eps)', 'normalised, transposed to its wide orientation']
        : ['X = u / max(norm(u, "fro"), eps)', 'normalised by the Frobenius norm'],
      ['X = a * X + (b * X * transpose(X) + c * (X * transpose(X)) ^ 2) * X', 'Newton-Schulz iteration', o.nsSteps as number],
      tall ? ['O = transpose(X)', 'orthogonalised direction, transposed back'] : ['O = X', 'orthogonalised direction'],
      o.adjustLrFn === 'match_rms_adamw'
        ? ['adjustedLr = 0.2 * sqrt(max(rows, cols)) * lr', "lr for the shape (match AdamW's update RMS)"]
        : ['adjustedLr = lr * sqrt(max(1, rows / cols))', 'lr for the shape (original)'],
      when(o.weightDecay !== 0, ['theta = theta * (1 - lr * weightDecay)', 'decoupled weight decay (the unadjusted lr)']),
      ['theta = theta - adjustedLr * O', 'step'],
    ];
  },
};
