"""The probes' shared training loop (#9, session 8): AdamW with a one-cycle schedule, label smoothing 0.05;
after every epoch the tuning digits are read, and the best and the last epoch's probabilities written to
DATA/probe-NAME-best.f32 and DATA/probe-NAME-last.f32."""
import argparse, os, time
import numpy as np
import torch, torch.nn.functional as F


def probe_args(archs):
    """ARCH EPOCHS [--data DIR] [--seed S] [--threads T]; seeds torch and sets its threads."""
    ap = argparse.ArgumentParser()
    ap.add_argument('arch', choices=archs)
    ap.add_argument('epochs', type=int)
    ap.add_argument('--data', default='/tmp/inkboard-probe')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=int(os.environ.get('THREADS', '1')))
    ap.add_argument('--device', default='cpu', help="'cuda' on a GPU machine (models/experiments/torch/gpu-probe.sh)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    return args


def place(net, args):
    """Moves `net` to the probe's device and says its size."""
    net.to(args.device)
    print(args.arch, sum(p.numel() for p in net.parameters()), 'params on', args.device, flush=True)


def softmax_chunks(net, x, prepare=lambda v: v):
    """`net`'s probabilities for `x`, 1,000 rows at a time (`prepare` turns stored rows into inputs)."""
    return torch.cat([F.softmax(net(prepare(x[i:i + 1000])), 1) for i in range(0, len(x), 1000)])


def fit(net, name, data, epochs, steps, epoch_batches, probabilities, labels):
    """`epoch_batches()` is called once an epoch and returns `batch(k) -> (inputs, targets)` for its steps;
    `labels` (on the CPU) are the tuning digits' labels."""
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=epochs * steps, pct_start=0.15)
    best = 0.0
    for ep in range(epochs):
        t0, batch, loss_sum = time.time(), epoch_batches(), 0.0
        for k in range(steps):
            x, y = batch(k)
            loss = F.cross_entropy(net(x), y, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item()
        net.eval()
        with torch.no_grad():
            p = probabilities().cpu()
        net.train()
        acc = (p.argmax(1) == labels).float().mean().item()
        if acc > best:
            best = acc
            p.numpy().astype(np.float32).tofile(os.path.join(data, f'probe-{name}-best.f32'))
        print(f'epoch {ep + 1}/{epochs} loss {loss_sum / steps:.4f} val {100 * acc:.2f}% best {100 * best:.2f}% '
              f'{time.time() - t0:.0f}s', flush=True)
    p.numpy().astype(np.float32).tofile(os.path.join(data, f'probe-{name}-last.f32'))
