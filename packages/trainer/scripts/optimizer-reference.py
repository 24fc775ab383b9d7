"""Reference trajectories from PyTorch for the trainer's optimiser, schedule and clipping tests.

Writes src/fixtures/torch-reference.json. Run: python3 packages/trainer/scripts/optimizer-reference.py
(needs torch; Debian: apt-get install python3-torch). The tests read the fixture, not torch.
"""
import json
import math
import pathlib

import torch

torch.set_default_dtype(torch.float32)
STEPS = 6


def initial():
    kernel = torch.tensor([[0.5, -0.25, 1.0], [0.75, -1.5, 0.125]])
    bias = torch.tensor([0.1, -0.2, 0.3])
    return kernel, bias


def gradients(step):
    """Fixed gradients per step, so the test checks the update rule alone."""
    k = torch.tensor([[math.sin(0.7 * step + 1.3 * i + 0.4 * j) * (1 + 0.5 * i) for j in range(3)] for i in range(2)])
    b = torch.tensor([math.cos(0.9 * step + 0.8 * j) for j in range(3)])
    return k, b


def lr_at(step, lr):
    return lr * (1 + 0.25 * step)  # a changing rate, as a schedule gives


CASES = {
    "sgd": (dict(), lambda p, lr: torch.optim.SGD(p, lr=lr)),
    "sgd-momentum": (dict(momentum=0.9), lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)),
    "sgd-nesterov": (dict(momentum=0.8, nesterov=True), lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.8, nesterov=True)),
    "adam": (dict(), lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.9, 0.999), eps=1e-7)),
    "adam-options": (dict(beta1=0.8, beta2=0.99, epsilon=1e-8), lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.8, 0.99), eps=1e-8)),
    # Decay on kernels (rank >= 2) only: the bias goes in a group without it.
    "adamw": (dict(weightDecay=0.1), lambda p, lr: torch.optim.AdamW([{"params": [p[0]], "weight_decay": 0.1}, {"params": [p[1]], "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.999), eps=1e-7)),
    "rmsprop": (dict(), lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.9, eps=1e-7)),
    "rmsprop-momentum": (dict(rho=0.99, momentum=0.5, epsilon=1e-8), lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.99, momentum=0.5, eps=1e-8)),
    # Coupled weight decay (grad + wd * w) on every parameter, kernels and biases alike.
    "sgd-weight-decay": (dict(weightDecay=0.05), lambda p, lr: torch.optim.SGD(p, lr=lr, weight_decay=0.05)),
    "sgd-momentum-weight-decay": (dict(momentum=0.9, weightDecay=0.05), lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=0.05)),
    "adam-weight-decay": (dict(weightDecay=0.05), lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.05)),
    "rmsprop-weight-decay": (dict(weightDecay=0.05), lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.9, eps=1e-7, weight_decay=0.05)),
}

out = {"initial": [t.tolist() for t in initial()], "gradients": [], "optimizers": {}}
for step in range(1, STEPS + 1):
    out["gradients"].append([t.tolist() for t in gradients(step)])

for name, (options, make) in CASES.items():
    params = [torch.nn.Parameter(t.clone()) for t in initial()]
    base = 0.05
    optimizer = make(params, base)
    trajectory = []
    for step in range(1, STEPS + 1):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, base)
        for p, g in zip(params, gradients(step)):
            p.grad = g.clone()
        optimizer.step()
        trajectory.append([p.detach().tolist() for p in params])
    out["optimizers"][name] = {
        "optimizer": name.split("-")[0],
        "options": options,
        "lr": base,
        "trajectory": trajectory,
    }


def trace(scheduler_of, steps, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    scheduler = scheduler_of(opt)
    lrs = []
    for i in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[i])
    return lrs


plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]
out["schedules"] = {
    "one-cycle": {
        "spec": {"type": "one-cycle", "maxLr": 0.1, "pctStart": 0.3, "divFactor": 25, "finalDivFactor": 1e4},
        "epochs": 4, "stepsPerEpoch": 5,
        "lrs": trace(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=20, cycle_momentum=False), 20),
    },
    "cosine": {
        "spec": {"type": "cosine", "minLr": 0.001},
        "epochs": 3, "stepsPerEpoch": 5,
        "lrs": trace(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.001), 15),
    },
    "step": {
        "spec": {"type": "step", "stepSize": 2, "gamma": 0.5},
        "epochs": 7, "stepsPerEpoch": 1,
        "lrs": trace(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 7),
    },
    "reduce-on-plateau": {
        "spec": {"type": "reduce-on-plateau", "monitor": "val_loss", "factor": 0.5, "patience": 1, "minLr": 0.01, "cooldown": 1, "threshold": 1e-4},
        "metrics": plateau_metrics,
        "lrs": trace(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=1, min_lr=0.01, cooldown=1, threshold=1e-4), len(plateau_metrics), plateau_metrics),
    },
}

clip_params = [torch.nn.Parameter(t.clone()) for t in initial()]
for p, g in zip(clip_params, gradients(1)):
    p.grad = g.clone() * 3
norm = torch.nn.utils.clip_grad_norm_(clip_params, max_norm=1.5)
out["clipping"] = {
    "maxNorm": 1.5,
    "gradients": [(g * 3).tolist() for g in gradients(1)],
    "norm": norm.item(),
    "clipped": [p.grad.tolist() for p in clip_params],
}

out["torch"] = torch.__version__
target = pathlib.Path(__file__).resolve().parent.parent / "src" / "fixtures" / "torch-reference.json"
target.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {target}")
