"""Probe (#9, session 8): does a learned fusion of the published image and online models beat their one
weight (0.55 / 0.45)? Logistic regression on both models' log probabilities of the tuning digits (lines
50,000-54,999), scored by 5-fold cross-validation on those lines.

    /usr/bin/python3 models/experiments/torch/stack.py [--data /tmp/inkboard-probe]

classw: a weight per model and digit plus a bias per digit (30 numbers); full: a 22 x 10 matrix and biases.
"""
import argparse, os
import numpy as np
import torch, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--data', default='/tmp/inkboard-probe')
args = ap.parse_args()
torch.set_num_threads(1)
read = lambda name: torch.from_numpy(np.fromfile(os.path.join(args.data, name), dtype=np.float32).reshape(-1, 11))
y = torch.from_numpy(np.fromfile(os.path.join(args.data, 'traj-val.labels'), dtype=np.uint8).astype(np.int64))
X = torch.cat([read('img-val.f32').clamp_min(1e-7).log(), read('path-val.f32').clamp_min(1e-7).log()], 1)
n, K = len(y), 5
order = torch.randperm(n, generator=torch.Generator().manual_seed(0))


def fit(Xtr, ytr, kind, l2):
    if kind == 'classw':
        a = torch.full((2, 10), 0.5, requires_grad=True)
        b = torch.zeros(10, requires_grad=True)
        params, f = [a, b], lambda X: a[0] * X[:, :10] + a[1] * X[:, 11:21] + b
    else:
        W = torch.zeros(22, 10)
        W[:10, :10] += torch.eye(10) * 0.55
        W[11:21, :10] += torch.eye(10) * 0.45
        W.requires_grad_(True)
        b = torch.zeros(10, requires_grad=True)
        params, f = [W, b], lambda X: X @ W + b
    opt = torch.optim.LBFGS(params, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(f(Xtr), ytr) + l2 * sum((p ** 2).sum() for p in params)
        loss.backward()
        return loss

    opt.step(closure)
    return f


for kind in ['classw', 'full']:
    for l2 in [1e-4, 1e-3, 1e-2]:
        right = 0
        for k in range(K):
            test = order[k * n // K:(k + 1) * n // K]
            train = torch.cat([order[:k * n // K], order[(k + 1) * n // K:]])
            f = fit(X[train], y[train], kind, l2)
            with torch.no_grad():
                right += (f(X[test]).argmax(1) == y[test]).sum().item()
        print(f'{kind} l2 {l2}: cross-validated {100 * right / n:.2f}%')
one = (0.55 * X[:, :10] + 0.45 * X[:, 11:21]).argmax(1)
print(f'one weight (published): {100 * (one == y).float().mean():.2f}%')
