"""Probe (#9, session 8): does a bigger online model on the pen path read whole traced MNIST digits better
than the published one (models/trajectory, 97.64% on the tuning lines 50,000-54,999)? PyTorch on the CPU;
measures only, nothing is published. Data from models/experiments/export-probe-data.ts.

    /usr/bin/python3 models/experiments/torch/probe_online.py tcn|gru EPOCHS [--data /tmp/inkboard-probe]
                                                              [--device cuda] [--threads T]

tcn: six dilated 1-D convolutions of 128 channels with batch norm, mean and max over the path, dense 256
(483k parameters); gru: two bidirectional GRU layers of 128. Input: the recognizer's 64 x 6 pen-path
features (shared/ink/trajectory.ts) of MNIST-stroke lines 0-49,999 and pen writers 1-20; every stroke
reversed with probability 0.3; random rotation +-10 degrees, shear +-0.2, horizontal scale +-20% of the
points (then centred and scaled again). AdamW, one-cycle schedule, label smoothing 0.05. Writes
DATA/probe-ARCH-best.f32 and DATA/probe-ARCH-last.f32 (probabilities of the tuning digits).
"""
import math, os
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from probe_fit import fit, place, probe_args, softmax_chunks

args = probe_args(['tcn', 'gru'])


def features(name):
    return torch.from_numpy(np.fromfile(os.path.join(args.data, name), dtype=np.float32).reshape(-1, 64, 6))


def labels(name):
    return torch.from_numpy(np.fromfile(os.path.join(args.data, name), dtype=np.uint8).astype(np.int64))


dev = torch.device(args.device)
Xtr, Xrev, ytr = (t.to(dev) for t in (features('traj-train.f32'), features('traj-train-rev.f32'), labels('traj-train.labels')))
Xva, yva = features('traj-val.f32').to(dev), labels('traj-val.labels')


class GRU(nn.Module):
    def __init__(self, h=128):
        super().__init__()
        self.inp = nn.Linear(6, 64)
        self.rnn = nn.GRU(64, h, num_layers=2, batch_first=True, bidirectional=True, dropout=0.2)
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(4 * h, 256), nn.ReLU(), nn.Dropout(0.3),
                                  nn.Linear(256, 10))

    def forward(self, x):
        m = (x.abs().sum(2, keepdim=True) > 0).float()
        o, _ = self.rnn(F.relu(self.inp(x)))
        mean = (o * m).sum(1) / m.sum(1).clamp_min(1)
        return self.head(torch.cat([mean, (o - 1e4 * (1 - m)).max(1).values], 1))


class TCN(nn.Module):
    def __init__(self, c=128):
        super().__init__()
        layers, i = [], 6
        for d in [1, 2, 4, 8, 1, 2]:
            layers += [nn.Conv1d(i, c, 5, padding=2 * d, dilation=d, bias=False), nn.BatchNorm1d(c), nn.ReLU()]
            i = c
        self.f = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(2 * c, 256), nn.ReLU(), nn.Dropout(0.3),
                                  nn.Linear(256, 10))

    def forward(self, x):
        h = self.f(x.transpose(1, 2))
        return self.head(torch.cat([h.mean(2), h.max(2).values], 1))


net = GRU() if args.arch == 'gru' else TCN()
place(net, args)


def augment(x):
    n = x.shape[0]
    a = (torch.rand(n) * 2 - 1) * math.radians(10)
    sh = (torch.rand(n) * 2 - 1) * 0.2
    sx = 1 + (torch.rand(n) * 2 - 1) * 0.2
    c, s = torch.cos(a), torch.sin(a)
    A = torch.stack([torch.stack([c * sx, -s + sh], 1), torch.stack([s, c], 1)], 1).to(x.device)
    m = (x.abs().sum(2, keepdim=True) > 0).float()
    xy = torch.einsum('nij,ntj->nti', A, x[:, :, 0:2])
    d = torch.einsum('nij,ntj->nti', A, x[:, :, 2:4])
    d = d / d.norm(dim=2, keepdim=True).clamp_min(1e-6) * (x[:, :, 2:4].norm(dim=2, keepdim=True) > 0).float()
    big = 1e4 * (1 - m)
    lo, hi = (xy + big).min(1, keepdim=True).values, (xy - big).max(1, keepdim=True).values
    scale = (hi - lo).max(2, keepdim=True).values.clamp_min(1e-6)
    return torch.cat([(xy - (lo + hi) / 2) / scale * m, d, x[:, :, 4:6]], 2)


def probabilities():
    return softmax_chunks(net, Xva)


def epoch_batches():
    """Every training digit once, shuffled; each drawn reversed with probability 0.3, then warped."""
    perm = torch.randperm(N).to(dev)

    def batch(k):
        i = perm[k * B:(k + 1) * B]
        x = torch.where((torch.rand(len(i)) < 0.3).to(dev)[:, None, None], Xrev[i], Xtr[i])
        return augment(x), ytr[i]

    return batch


B, N = 128, len(ytr)
fit(net, args.arch, args.data, args.epochs, N // B, epoch_batches, probabilities, yva)
