"""The PyTorch side of the accuracy-parity benchmark: MultiBench's AV-MNIST LeNet models trained with
MultiBench's recipe on an AV-MNIST build made by omnifuse's examples/av-mnist/build-dataset.mjs.

Data: the build's manifest.jsonl (the first --train/--validation/--test records of each split, in
manifest order). Images: the 8-bit grey 28x28 PNGs, decoded here with zlib + struct, pixels / 255
-> [N, 1, 28, 28]. Audio: spectrogram.py's read_wav + spectrogram -> [N, 1, 112, 112] (frames,
bins), every split standardised with the training split's global mean and std (fit_standardize).

Models (MultiBench's, LeNet from bench/lenet-lf-torch.py; PyTorch's default initialisation):
  image  LeNet(1, 6, 3) -> 48   -> Linear(48, 100)  -> ReLU -> Linear(100, 10)
  audio  LeNet(1, 6, 5) -> 192  -> Linear(192, 100) -> ReLU -> Linear(100, 10)
  lf     both, concat   -> 240  -> Linear(240, 100) -> ReLU -> Linear(100, 10)

Recipe (MultiBench's training/structures train(): SGD, lr 0.1, weight_decay 1e-4, clip 8, batch 40):
torch.manual_seed(seed) before building each model; SGD lr 0.1, momentum 0, weight_decay 1e-4
(PyTorch's coupled L2 on every parameter, BatchNorm's included); batches of 40 from a permutation
drawn each epoch from a torch.Generator seeded with the seed, the last partial batch kept;
cross-entropy; clip_grad_norm_(parameters, 8) before each step; after each epoch, validation
accuracy in eval mode, keeping a copy of the state dict whenever it is strictly better than the best
so far (the first epoch always counts); the best is restored at the end and scored on the test split
in eval mode.

Progress: one JSON line per epoch on stderr ({"model","seed","epoch","loss","train_acc","val_acc",
"seconds"}; loss and train_acc over the epoch's training batches in train mode, seconds for the
training pass alone). Result: one JSON object on stdout (and in --out): settings, data, the fitted
spectrogram mean/std, feature-extraction seconds, versions, per model per seed {test, validation,
best_epoch, seconds (build + train + evaluate), epoch_seconds}, and per model the mean and sample
std (n - 1; null for one seed) of test and validation accuracy over the seeds.

  node --conditions=@omnifuse/source --import tsx examples/av-mnist/build-dataset.mjs \\
    --snr=-12 --out=/tmp/omnifuse-av-mnist-12db
  /usr/bin/python3 bench/accuracy-parity/torch_parity.py --data=/tmp/omnifuse-av-mnist-12db \\
    --models=image,audio,lf --seeds=1,2,3 --epochs=30 --threads=1 --out=torch-parity.json

--lockstep=DIR: instead of torch.manual_seed's initial weights and torch.randperm's batches, take the
initial weights and the batch order omnifuse-parity.mjs --lockstep=DIR wrote for the same model and
seed (DIR/<model>-seed<seed>.json, see lockstep-trainer.mjs), and record each training batch's loss
and each epoch's validation loss (eval mode), for lockstep.mjs to compare with omnifuse's; the
weights the run ends with go to DIR/<model>-seed<seed>.torch-after.json (.torch64-after.json) in omnifuse's names and
layouts (omnifuse writes .after.json beside it), so a one-step run (--train=40 --epochs=1) compares
the first update parameter by parameter. --dtype=float64 runs the PyTorch side in double precision
(a reference for both float32 sides).
"""

import argparse
import importlib.util
import json
import os
import platform
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from spectrogram import BINS, FRAMES, fit_standardize, read_wav, spectrogram  # noqa: E402


def load_lenet():
    """MultiBench's LeNet, shared with bench/lenet-lf-torch.py (its file name is not importable)."""
    spec = importlib.util.spec_from_file_location("lenet_lf_torch", HERE.parent / "lenet-lf-torch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LeNet


LeNet = load_lenet()
MODELS = ("image", "audio", "lf")
SPLITS = ("train", "validation", "test")

# ---------------------------------------------------------------------------------------------
# PNG decoding (stdlib zlib + struct): 8-bit, non-interlaced, colour types 0, 2, 4, 6 -> grey bytes.

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def srgb_grey(rgb):
    """Grey levels of sRGB bytes [..., 3] as sharp's greyscale() (and omnifuse's greyOfRgb) makes
    them: Rec. 709 luminance of the linearised colour, re-encoded with the sRGB curve."""
    v = rgb.astype(np.float64) / 255.0
    linear = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    y = np.clip(linear @ np.array([0.2126, 0.7152, 0.0722]), 0.0, 1.0)
    encoded = np.where(y <= 0.0031308, y * 12.92, 1.055 * y ** (1 / 2.4) - 0.055)
    return np.floor(255.0 * encoded + 0.5).astype(np.uint8)


def unfilter(raw, width, height, bpp, path):
    """Undo PNG's per-row filters (None, Sub, Up, Average, Paeth) -> uint8 [height, width * bpp]."""
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise ValueError(f"{path}: PNG image data has {len(raw)} bytes, expected {height * (stride + 1)}")
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum per byte position within a pixel
            row = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64).astype(np.uint8).reshape(stride)
        elif kind == 2:  # Up
            row = line + prior
        elif kind in (3, 4):  # Average, Paeth: each byte depends on the one just decoded
            cur = [0] * stride
            up = prior.tolist()
            filt = line.tolist()
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                if kind == 3:
                    predictor = (left + up[i]) >> 1
                else:
                    upper_left = up[i - bpp] if i >= bpp else 0
                    p = left + up[i] - upper_left
                    pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - upper_left)
                    predictor = left if pa <= pb and pa <= pc else up[i] if pb <= pc else upper_left
                cur[i] = (filt[i] + predictor) & 0xFF
            row = np.array(cur, dtype=np.uint8)
        else:
            raise ValueError(f"{path}: unknown PNG filter type {kind} in row {y}")
        out[y] = row
        prior = row
    return out


def read_png_grey(path):
    """An 8-bit non-interlaced PNG -> uint8 grey [height, width]: colour type 0 as is, 4 (grey +
    alpha) its grey channel, 2 and 6 (RGB, RGBA) converted like sharp's greyscale()."""
    data = Path(path).read_bytes()
    if data[:8] != PNG_SIGNATURE:
        raise ValueError(f"{path}: not a PNG file")
    offset, header, idat = 8, None, []
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None or not idat:
        raise ValueError(f"{path}: PNG without IHDR or IDAT")
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in PNG_CHANNELS or interlace != 0:
        raise ValueError(
            f"{path}: unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace}); "
            "expected 8-bit, colour type 0, 2, 4 or 6, not interlaced"
        )
    bpp = PNG_CHANNELS[colour]
    pixels = unfilter(zlib.decompress(b"".join(idat)), width, height, bpp, path).reshape(height, width, bpp)
    return pixels[..., 0] if colour in (0, 4) else srgb_grey(pixels[..., :3])


# ---------------------------------------------------------------------------------------------
# Data


def read_manifest(folder, limits):
    """The first limits[split] records of each split, in manifest order (None: all)."""
    records = {split: [] for split in SPLITS}
    with open(folder / "manifest.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                split = record["split"]
                if split in records and (limits[split] is None or len(records[split]) < limits[split]):
                    records[split].append(record)
    for split in SPLITS:
        if not records[split]:
            raise SystemExit(f"{folder / 'manifest.jsonl'}: no {split} records")
    return records


def load_split(folder, records):
    """Images [N, 1, 28, 28] float32, raw (unstandardised) float64 spectrograms [N, 1, 112, 112], labels."""
    images = np.empty((len(records), 1, 28, 28), dtype=np.float32)
    audio = np.empty((len(records), 1, FRAMES, BINS), dtype=np.float64)
    for i, record in enumerate(records):
        images[i, 0] = read_png_grey(folder / record["image"]) / np.float32(255.0)
        audio[i, 0] = spectrogram(read_wav(folder / record["audio"])[0])
    labels = np.array([int(r["label"]) for r in records], dtype=np.int64)
    return images, audio, labels


def load_data(folder, limits):
    """Every split as float32 tensors, the audio standardised with the training split's mean/std.
    Splits are read one at a time (training first, to fit) so only one float64 copy is held."""
    started = time.perf_counter()
    records = read_manifest(folder, limits)
    data, standardize = {}, None
    for split in SPLITS:
        images, audio, labels = load_split(folder, records[split])
        if standardize is None:
            mean, std = fit_standardize(audio)
            standardize = {"mean": mean, "std": std}
        audio -= standardize["mean"]  # in place: no second float64 copy
        audio /= standardize["std"]
        audio = audio.astype(np.float32)
        data[split] = (torch.from_numpy(images), torch.from_numpy(audio), torch.from_numpy(labels))
    return data, standardize, time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Models


def mlp(in_features):
    return nn.Sequential(nn.Linear(in_features, 100), nn.ReLU(), nn.Linear(100, 10))


class Unimodal(nn.Module):
    def __init__(self, modality):
        super().__init__()
        self.modality = modality
        self.encoder = LeNet(1, 6, 3) if modality == "image" else LeNet(1, 6, 5)
        self.head = mlp(48 if modality == "image" else 192)

    def forward(self, image, audio):
        return self.head(self.encoder(image if self.modality == "image" else audio))


class LateFusion(nn.Module):
    def __init__(self):
        super().__init__()
        self.image = LeNet(1, 6, 3)
        self.audio = LeNet(1, 6, 5)
        self.head = mlp(48 + 192)

    def forward(self, image, audio):
        return self.head(torch.cat([self.image(image), self.audio(audio)], dim=1))


def build_model(name):
    return LateFusion() if name == "lf" else Unimodal(name)


# ---------------------------------------------------------------------------------------------
# Training


def accuracy(model, split, batch, with_loss=False):
    """Accuracy in eval mode, in batches of the training size (as MultiBench's loaders; on a 1-thread
    CPU, batches of 40 run faster than of 500, whose 112x112 activations fall out of cache); with
    `with_loss`, (accuracy, mean cross-entropy)."""
    images, audio, labels = split
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(labels), batch):
            end = start + batch
            logits = model(images[start:end], audio[start:end])
            correct += (logits.argmax(1) == labels[start:end]).sum().item()
            if with_loss:
                loss += F.cross_entropy(logits, labels[start:end], reduction="sum").item()
    return (correct / len(labels), loss / len(labels)) if with_loss else correct / len(labels)


def omnifuse_kind(name, shape):
    """Which part (its first name component: image, audio, head) and what (conv kernels are 4-D,
    dense kernels 2-D; 1-D: batch-norm gamma/beta or a dense bias) an omnifuse trainable weight is."""
    part = name.split("/", 1)[0]
    if len(shape) == 4:
        return part, "conv"
    if len(shape) == 2:
        return part, "dense"
    return part, {"gamma": "bn_weight", "beta": "bn_bias", "bias": "dense_bias"}[name.rsplit("/", 1)[-1]]


def torch_kind(model, pname, param):
    """The same for a PyTorch parameter of these models (a Unimodal's LeNet is its `encoder`; batch
    norms live in a LeNet's `bns`)."""
    part = pname.split(".", 1)[0]
    if part == "encoder":
        part = model.modality
    if ".bns." in pname:
        return part, "bn_weight" if pname.endswith("weight") else "bn_bias"
    return part, "conv" if param.dim() == 4 else "dense" if param.dim() == 2 else "dense_bias"


def load_lockstep(model, folder, name, seed, n, epochs):
    """Sets `model`'s parameters to omnifuse's initial weights from folder/<name>-seed<seed>.json and
    returns its batch orders. omnifuse names each trainable weight by part (image/…, audio/…, head/…)
    and lists a part's in model order (per block: conv kernel [kh, kw, in, out], BN gamma, BN beta;
    then each dense kernel [in, out] and bias); PyTorch lists a LeNet's convs before its BNs, so both
    sides are matched part by part and kind by kind, in order, and every shape is checked."""
    data = json.loads((Path(folder) / f"{name}-seed{seed}.json").read_text())
    if data["trainSize"] != n or len(data["orders"]) < epochs:
        raise SystemExit(f"--lockstep: {name} seed {seed} has {data['trainSize']} rows and "
                         f"{len(data['orders'])} epochs; this run has {n} and {epochs}")

    theirs = {}
    for w in data["weights"]:
        values = torch.tensor(w["values"], dtype=torch.float32).reshape(w["shape"])
        if len(w["shape"]) == 4:
            values = values.permute(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
        elif len(w["shape"]) == 2:
            values = values.t()  # [in, out] -> [out, in]
        theirs.setdefault(omnifuse_kind(w["name"], w["shape"]), []).append((w["name"], values.contiguous()))
    ours = {}
    for pname, param in model.named_parameters():
        ours.setdefault(torch_kind(model, pname, param), []).append((pname, param))
    if {k: len(v) for k, v in ours.items()} != {k: len(v) for k, v in theirs.items()}:
        raise SystemExit(f"--lockstep: {name} has other weights than {folder}'s")
    with torch.no_grad():
        for k, params in ours.items():
            for (pname, param), (wname, values) in zip(params, theirs[k]):
                if tuple(param.shape) != tuple(values.shape):
                    raise SystemExit(f"--lockstep: {pname} {tuple(param.shape)} != {wname} {tuple(values.shape)}")
                param.copy_(values)
    return [torch.tensor(order, dtype=torch.long) for order in data["orders"]]


def save_lockstep_weights(model, folder, name, seed, dtype):
    """Writes `model`'s parameters as folder/<name>-seed<seed>.torch-after.json in the names, order
    and tfjs layouts of omnifuse's initial weights file (the inverse of load_lockstep's mapping)."""
    data = json.loads((Path(folder) / f"{name}-seed{seed}.json").read_text())
    ours = {}
    for pname, param in model.named_parameters():
        ours.setdefault(torch_kind(model, pname, param), []).append(param.detach().double())
    taken = {k: 0 for k in ours}
    weights = []
    for w in data["weights"]:
        shape = w["shape"]
        k = omnifuse_kind(w["name"], shape)
        values = ours[k][taken[k]]
        taken[k] += 1
        if len(shape) == 4:
            values = values.permute(2, 3, 1, 0)  # [out, in, kh, kw] -> [kh, kw, in, out]
        elif len(shape) == 2:
            values = values.t()
        weights.append({"name": w["name"], "shape": shape, "values": values.contiguous().flatten().tolist()})
    suffix = "torch64-after" if dtype == "float64" else "torch-after"
    write_atomic(Path(folder) / f"{name}-seed{seed}.{suffix}.json",
                 json.dumps({"model": name, "seed": seed, "weights": weights}) + "\n")


def train_one(name, seed, data, args, tag=None):
    """Trains model `name` from `seed`, restores its best epoch by validation accuracy and scores it;
    `tag`'s fields lead each progress line."""
    started = time.perf_counter()
    torch.manual_seed(seed)
    model = build_model(name)
    images, audio, labels = data["train"]
    n = len(labels)
    orders = load_lockstep(model, args.lockstep, name, seed, n, args.epochs) if args.lockstep else None
    if args.dtype == "float64":
        model = model.double()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.0, weight_decay=args.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    best_acc, best_epoch, best_state, epoch_seconds = -1.0, 0, None, []
    batch_losses, val_losses, val_accs = [], [], []
    for epoch in range(1, args.epochs + 1):
        model.train()
        epoch_started = time.perf_counter()
        order = orders[epoch - 1] if orders else torch.randperm(n, generator=generator)
        total_loss, correct = 0.0, 0
        for start in range(0, n, args.batch):
            rows = order[start : start + args.batch]
            optimizer.zero_grad()
            logits = model(images[rows], audio[rows])
            loss = F.cross_entropy(logits, labels[rows])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            total_loss += loss.item() * len(rows)
            if orders:
                batch_losses.append(loss.item())
            correct += (logits.argmax(1) == labels[rows]).sum().item()
        seconds = time.perf_counter() - epoch_started
        epoch_seconds.append(seconds)
        if orders:
            val_acc, val_loss = accuracy(model, data["validation"], args.batch, with_loss=True)
            val_losses.append(val_loss)
            val_accs.append(val_acc)
        else:
            val_acc = accuracy(model, data["validation"], args.batch)
        if val_acc > best_acc:
            best_acc, best_epoch = val_acc, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        progress = {**(tag or {}), "model": name, "seed": seed, "epoch": epoch, "loss": total_loss / n,
                    "train_acc": correct / n, "val_acc": val_acc, "seconds": round(seconds, 3)}
        print(json.dumps(progress), file=sys.stderr, flush=True)
    model.load_state_dict(best_state)
    if orders:
        save_lockstep_weights(model, args.lockstep, name, seed, args.dtype)
    run = {
        "test": accuracy(model, data["test"], args.batch),
        "validation": best_acc,
        "best_epoch": best_epoch,
        "seconds": round(time.perf_counter() - started, 3),
        "epoch_seconds": [round(s, 3) for s in epoch_seconds],
    }
    if orders:
        run.update(batch_losses=batch_losses, val_losses=val_losses, val_accs=val_accs)
    return run


def summarise(values):
    mean = float(np.mean(values))
    return {"mean": mean, "std": float(np.std(values, ddof=1)) if len(values) > 1 else None}


def write_atomic(path, text):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def comma_list(convert):
    return lambda text: [convert(part) for part in text.split(",") if part.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "omnifuse-av-mnist-12db"))
    parser.add_argument("--train", type=int, default=None)
    parser.add_argument("--validation", type=int, default=None)
    parser.add_argument("--test", type=int, default=None)
    parser.add_argument("--models", type=comma_list(str), default=list(MODELS))
    parser.add_argument("--seeds", type=comma_list(int), default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--clip", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    parser.add_argument("--lockstep", default=None)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    args = parser.parse_args()
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"--models: unknown {', '.join(unknown)}; expected some of {', '.join(MODELS)}")
    if args.epochs < 1 or args.batch < 1 or not args.seeds:
        parser.error("--epochs and --batch must be at least 1, and --seeds must name a seed")
    torch.set_num_threads(args.threads)

    folder = Path(args.data)
    limits = {"train": args.train, "validation": args.validation, "test": args.test}
    data, standardize, feature_seconds = load_data(folder, limits)
    if args.dtype == "float64":
        data = {split: (images.double(), audio.double(), labels) for split, (images, audio, labels) in data.items()}
    build_file = folder / "build.json"
    print(json.dumps({"stage": "features", "seconds": round(feature_seconds, 3),
                      "samples": {s: len(data[s][2]) for s in SPLITS}, "spectrogram": standardize}),
          file=sys.stderr, flush=True)

    runs = {name: {str(seed): train_one(name, seed, data, args) for seed in args.seeds} for name in args.models}
    result = {
        "settings": {
            "models": args.models, "seeds": args.seeds, "epochs": args.epochs, "batch": args.batch,
            "optimizer": "sgd", "lr": args.lr, "momentum": 0.0, "weight_decay": args.weight_decay,
            "clip": args.clip, "threads": torch.get_num_threads(), "selection": "best validation accuracy",
            "lockstep": args.lockstep, "dtype": args.dtype,
        },
        "data": {
            "folder": str(folder),
            "samples": {s: len(data[s][2]) for s in SPLITS},
            "build": json.loads(build_file.read_text()) if build_file.exists() else None,
        },
        "spectrogram": standardize,
        "feature_seconds": round(feature_seconds, 3),
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()},
        "runs": runs,
        "summary": {
            name: {
                "test": summarise([r["test"] for r in per_seed.values()]),
                "validation": summarise([r["validation"] for r in per_seed.values()]),
            }
            for name, per_seed in runs.items()
        },
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        write_atomic(args.out, text + "\n")


if __name__ == "__main__":
    main()
