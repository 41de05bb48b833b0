"""Probe (#9, session 8): reads the probes' probabilities of the tuning digits (lines 50,000-54,999) alone,
fused with the published image and online models, and counts the digits every model misreads.

    /usr/bin/python3 models/experiments/torch/fuse.py [--data /tmp/inkboard-probe] probe-mid-best.f32 ...

Fusion as the recognizer does it: a weighted sum of log probabilities of the ten digits (the published
pair at 0.55 / 0.45, docs/recognition.md), the probe added with weight w. `--grid` also tries every weight
in 0, 0.1, ..., 0.5 for every model at once and prints the best (chosen on the same lines: flattering).
"""
import argparse, itertools, os
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument('probes', nargs='*')
ap.add_argument('--data', default='/tmp/inkboard-probe')
ap.add_argument('--grid', action='store_true')
args = ap.parse_args()
read = lambda name, k: np.fromfile(os.path.join(args.data, name), dtype=np.float32).reshape(-1, k)[:, :10]
y = np.fromfile(os.path.join(args.data, 'traj-val.labels'), dtype=np.uint8)
image, path = read('img-val.f32', 11), read('path-val.f32', 11)
log = lambda p: np.log(np.maximum(p, 1e-7))
acc = lambda s: 100 * (s.argmax(1) == y).mean()
pair = 0.55 * log(image) + 0.45 * log(path)
print(f'image {acc(image):.2f}%, online {acc(path):.2f}%, fused (published) {acc(pair):.2f}%')
right = [image.argmax(1) == y, path.argmax(1) == y]
logs = {'image': log(image), 'online': log(path)}
for name in args.probes:
    q = read(name, 10)
    right.append(q.argmax(1) == y)
    logs[name] = log(q)
    print(f'{name}: alone {acc(q):.2f}%')
    for w in [0.2, 0.3, 0.4, 0.5, 0.6]:
        print(f'  w {w:.1f}: + image + online {acc((1 - w) * pair + w * log(q)):.2f}%, '
              f'+ image {acc((1 - w) * log(image) + w * log(q)):.2f}%, '
              f'+ online {acc((1 - w) * log(q) + w * log(path)):.2f}%')
r = np.stack(right)
print(f'{len(r)} models: misread by all {(~r.any(0)).sum()}, by at least one {(~r.all(0)).sum()}, '
      f'right by at least one {100 * r.any(0).mean():.2f}%')
if args.grid:
    best = max(
        (acc(sum(w * l for w, l in zip(ws, logs.values()))), ws)
        for ws in itertools.product([0, 0.1, 0.2, 0.3, 0.4, 0.5], repeat=len(logs))
        if sum(ws) > 0
    )
    print(f'best of the grid: {best[0]:.2f}% with weights {dict(zip(logs, best[1]))}')
