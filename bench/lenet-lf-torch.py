"""MultiBench's AV-MNIST late-fusion LeNet in PyTorch, for bench/lenet-lf.mjs.

The model is MultiBench's (unimodals/common_models.py LeNet, fusions Concat, MLP head):
image LeNet(1, 6, 3) on 28x28 -> 48, audio LeNet(1, 6, 5) on 112x112 -> 192, concat -> 240,
Linear(240, 100) -> ReLU -> Linear(100, 10), cross-entropy, Adam. Trains on seeded synthetic tensors
of those shapes, one warm-up epoch then `--epochs` timed epochs, and prints one JSON line.

  /usr/bin/python3 bench/lenet-lf-torch.py --samples=2000 --batch=40 --epochs=3 --threads=1
"""

import argparse
import json
import time

import torch
from torch import nn
from torch.nn import functional as F


class LeNet(nn.Module):
    """MultiBench's LeNet: conv 5x5 (pad 2) then `additional_layers` conv 3x3 (pad 1), each
    without bias and followed by BatchNorm -> ReLU -> max-pool 2; channels double each block."""

    def __init__(self, in_channels, args_channels, additional_layers):
        super().__init__()
        convs = [nn.Conv2d(in_channels, args_channels, kernel_size=5, padding=2, bias=False)]
        bns = [nn.BatchNorm2d(args_channels)]
        for i in range(additional_layers):
            convs.append(
                nn.Conv2d(
                    (2**i) * args_channels, (2 ** (i + 1)) * args_channels, kernel_size=3, padding=1, bias=False
                )
            )
            bns.append(nn.BatchNorm2d(args_channels * (2 ** (i + 1))))
        self.convs = nn.ModuleList(convs)
        self.bns = nn.ModuleList(bns)

    def forward(self, x):
        out = x
        for conv, bn in zip(self.convs, self.bns):
            out = F.max_pool2d(F.relu(bn(conv(out))), 2)
        return out.flatten(1)


class LateFusionLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.image = LeNet(1, 6, 3)
        self.audio = LeNet(1, 6, 5)
        self.head = nn.Sequential(nn.Linear(48 + 192, 100), nn.ReLU(), nn.Linear(100, 10))

    def forward(self, image, audio):
        return self.head(torch.cat([self.image(image), self.audio(audio)], dim=1))


def count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    model = LateFusionLeNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    image = torch.rand(args.samples, 1, 28, 28)
    audio = torch.rand(args.samples, 1, 112, 112)
    labels = torch.arange(args.samples) % 10

    seconds = []
    cpu_seconds = []
    loss_mean = float("nan")
    for epoch in range(1 + args.epochs):
        model.train()
        started = time.perf_counter()
        cpu_started = time.process_time()
        order = torch.randperm(args.samples)
        total = 0.0
        for start in range(0, args.samples, args.batch):
            rows = order[start : start + args.batch]
            optimizer.zero_grad()
            loss = loss_fn(model(image[rows], audio[rows]), labels[rows])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        elapsed = time.perf_counter() - started
        cpu_elapsed = time.process_time() - cpu_started
        loss_mean = total / args.samples
        if epoch > 0:  # the first epoch warms up
            seconds.append(elapsed)
            cpu_seconds.append(cpu_elapsed)

    def median(values):
        ordered = sorted(values)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    print(
        json.dumps(
            {
                "version": torch.__version__,
                "threads": torch.get_num_threads(),
                "seconds": median(seconds),
                "cpu": median(cpu_seconds),
                "all": seconds,
                "loss": loss_mean,
                "params": {
                    "total": count(model),
                    "image": count(model.image),
                    "audio": count(model.audio),
                    "head": count(model.head),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
