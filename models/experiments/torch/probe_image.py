"""Probe (#9, session 8): does an image CNN trained longer, or a bigger one, read whole traced MNIST digits
better than best-reject (98.24% on the tuning lines 50,000-54,999)? PyTorch on the CPU: about 5x faster
than training with TensorFlow.js on wasm here, so 30 epochs fit in a session. Measures only; nothing is
published. Data from models/experiments/export-probe-data.ts.

    /usr/bin/python3 models/experiments/torch/probe_image.py best|mid|wide EPOCHS [--data /tmp/inkboard-probe]
                                                             [--device cuda] [--threads T]

best: the `best` architecture (models/lib/architectures.ts, 10 classes, 156k parameters);
mid: conv 32-32-pool-64-64-pool-128-pool, dense 256 (437k parameters, 22.2M multiply-adds, about 11x `best`);
wide: conv 64-64-pool-128-128-pool-256-256-pool, dense 512 (for a GPU: gpu-probe.sh).
Each epoch: the 50,000 traced training digits (each at one of its three pen widths, drawn at random),
the 4,996 pen digits of writers 1-20 likewise, 25,000 of the first 55,000 MNIST images; random affine
warps; AdamW with a one-cycle schedule, label smoothing 0.05. Writes DATA/probe-ARCH-best.f32 (the
best epoch's probabilities of the tuning digits) and DATA/probe-ARCH-last.f32 (the last epoch's).
"""
import math, os
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from probe_fit import fit, place, probe_args, softmax_chunks

args = probe_args(['best', 'mid', 'wide'])


def load(name):
    x = np.fromfile(os.path.join(args.data, name + '.u8'), dtype=np.uint8).reshape(-1, 1, 28, 28)
    y = np.fromfile(os.path.join(args.data, name + '.labels'), dtype=np.uint8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


dev = torch.device(args.device)
st_x, st_y = (t.to(dev) for t in load('strokes-train'))
pen_x, pen_y = (t.to(dev) for t in load('pen-train'))
mn_x, mn_y = (t.to(dev) for t in load('mnist-train'))
va_x, va_y = load('strokes-val')
va_x = va_x.to(dev)
NST, NPEN = st_x.shape[0] // 3, pen_x.shape[0] // 3


def cbr(i, o, k, p=0):
    return [nn.Conv2d(i, o, k, padding=p, bias=False), nn.BatchNorm2d(o), nn.ReLU()]


if args.arch == 'best':
    net = nn.Sequential(*cbr(1, 16, 5), nn.MaxPool2d(2), *cbr(16, 32, 3), *cbr(32, 64, 3), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Dropout(0.25), nn.Linear(1024, 128, bias=False), nn.BatchNorm1d(128),
                        nn.ReLU(), nn.Dropout(0.4), nn.Linear(128, 10))
elif args.arch == 'wide':
    net = nn.Sequential(*cbr(1, 64, 3, 1), *cbr(64, 64, 3, 1), nn.MaxPool2d(2), *cbr(64, 128, 3, 1),
                        *cbr(128, 128, 3, 1), nn.MaxPool2d(2), *cbr(128, 256, 3, 1), *cbr(256, 256, 3, 1),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.3), nn.Linear(256 * 9, 512, bias=False),
                        nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.4), nn.Linear(512, 10))
else:
    net = nn.Sequential(*cbr(1, 32, 3, 1), *cbr(32, 32, 3, 1), nn.MaxPool2d(2), *cbr(32, 64, 3, 1),
                        *cbr(64, 64, 3, 1), nn.MaxPool2d(2), *cbr(64, 128, 3, 1), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Dropout(0.3), nn.Linear(128 * 9, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(),
                        nn.Dropout(0.4), nn.Linear(256, 10))
place(net, args)


def augment(x):
    """Rotation +-12 degrees, shear +-0.25, scale +-12% per axis, shift +-2 pixels."""
    n = x.shape[0]
    a = (torch.rand(n) * 2 - 1) * math.radians(12)
    sh = (torch.rand(n) * 2 - 1) * 0.25
    sx = 1 + (torch.rand(n) * 2 - 1) * 0.12
    sy = 1 + (torch.rand(n) * 2 - 1) * 0.12
    tx = (torch.rand(n) * 2 - 1) * 2 / 14
    ty = (torch.rand(n) * 2 - 1) * 2 / 14
    c, s = torch.cos(a), torch.sin(a)
    th = torch.stack([torch.stack([c / sx, (-s + sh) / sx, tx], 1), torch.stack([s / sy, c / sy, ty], 1)], 1)
    th = th.to(x.device)
    grid = F.affine_grid(th, x.shape, align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode='zeros')


def probabilities():
    return softmax_chunks(net, va_x, lambda v: v.float() / 255)


def epoch_batches():
    """Every traced and pen digit at one of its pen widths, 25,000 MNIST images; shuffled."""
    si = torch.randint(0, 3, (NST,)) * NST + torch.arange(NST)
    pi = torch.randint(0, 3, (NPEN,)) * NPEN + torch.arange(NPEN)
    mi = torch.randperm(mn_x.shape[0])[:25000]
    si, pi, mi = si.to(dev), pi.to(dev), mi.to(dev)
    X = torch.cat([st_x[si], pen_x[pi], mn_x[mi]])
    Y = torch.cat([st_y[si], pen_y[pi], mn_y[mi]])
    perm = torch.randperm(X.shape[0]).to(dev)

    def batch(k):
        idx = perm[k * B:(k + 1) * B]
        return augment(X[idx].float() / 255), Y[idx]

    return batch


B = 128
fit(net, args.arch, args.data, args.epochs, (NST + NPEN + 25000) // B, epoch_batches, probabilities, va_y)
