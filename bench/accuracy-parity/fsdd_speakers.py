"""The PyTorch side of the speaker-disjoint FSDD benchmark: MultiBench's audio-only AV-MNIST model
(torch_parity.py's Unimodal("audio"), LeNet(1, 6, 5) -> Linear(192, 100) -> ReLU -> Linear(100, 10))
trained with torch_parity.py's recipe, one speaker held out at a time.

Data: the Free Spoken Digit Dataset's recordings, {digit}_{speaker}_{index}.wav, 8 kHz mono 16-bit,
of the five speakers george, jackson, nicolas, theo, yweweler (50 per digit each). Fold S (one per
--folds speaker): test = all 500 clips of S; of the other four speakers, validation = recording index
45-49 (200 clips), train = index 0-44 (1,800 clips). Records are ordered by (index, digit, speaker), and
--limit=N keeps the first N of each split in that order (so a small smoke run still sees every digit
and speaker); fsdd-speakers.mjs orders and limits them the same way.

Features: spectrogram.py's read_wav + spectrogram -> [N, 1, 112, 112], each fold standardised with its
own training split's global mean and std (fit_standardize). Each clip's raw spectrogram is computed
once and shared by the folds.

Recipe (torch_parity.py's train_one, its docstring has the details): SGD lr 0.1, momentum 0,
weight_decay 1e-4, clip_grad_norm 8, batches of 40, --epochs (30), PyTorch's default initialisation
from torch.manual_seed(seed), the epoch with the best validation accuracy restored and scored on the
held-out speaker.

Progress: JSON lines on stderr (one per fold's features, one per epoch with "fold" leading
torch_parity's fields). Result: one JSON object on stdout (and in --out): settings, data (the split
rule and per fold the clip counts), the fitted mean/std per fold, feature seconds, versions, runs
(per fold per seed {test, validation, best_epoch, seconds, epoch_seconds}), summary (per fold the
mean, sample std and values over the seeds) and overall (over the folds' means: mean and std across
held-out speakers; the folds' test sets are the same size, so the mean is the pooled accuracy).
report-fsdd.mjs tabulates it next to fsdd-speakers.mjs's results.

  /usr/bin/python3 bench/accuracy-parity/fsdd_speakers.py --seeds=1 --epochs=30 --threads=1 \\
    --out=fsdd-torch.json
  # smoke run: one fold, 2 epochs, at most 200 clips per split
  /usr/bin/python3 bench/accuracy-parity/fsdd_speakers.py --folds=theo --epochs=2 --limit=200
"""

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from spectrogram import BINS, FRAMES, fit_standardize, read_wav, spectrogram  # noqa: E402
from torch_parity import comma_list, summarise, train_one, write_atomic  # noqa: E402

SPEAKERS = ("george", "jackson", "nicolas", "theo", "yweweler")
SPLITS = ("train", "validation", "test")
VALIDATION_FROM = 45  # recording index 45-49 of the training speakers
FILE_NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")
DEFAULT_DATA = HERE.parents[2] / "shared" / "data" / "fsdd" / "recordings"


def read_recordings(folder):
    """The five speakers' recordings as {file, label, speaker, index}, ordered by (index, digit, speaker)."""
    recordings = []
    for path in folder.iterdir():
        match = FILE_NAME.match(path.name)
        if match and match.group(2) in SPEAKERS:
            digit, speaker, index = match.groups()
            recordings.append({"file": path.name, "label": int(digit), "speaker": speaker, "index": int(index)})
    if not recordings:
        raise SystemExit(f"{folder}: no {{digit}}_{{speaker}}_{{index}}.wav recordings of {', '.join(SPEAKERS)}")
    recordings.sort(key=lambda r: (r["index"], r["label"], r["speaker"]))
    return recordings


def fold_splits(recordings, held_out, limit):
    """Fold `held_out`'s splits (lists of recordings), each cut to its first `limit` (None: all)."""
    splits = {split: [] for split in SPLITS}
    for r in recordings:
        split = "test" if r["speaker"] == held_out else "validation" if r["index"] >= VALIDATION_FROM else "train"
        if limit is None or len(splits[split]) < limit:
            splits[split].append(r)
    return splits


class Spectrograms:
    """Raw float64 spectrograms [112, 112] by file, each computed once."""

    def __init__(self, folder):
        self.folder = folder
        self.features = {}
        self.seconds = 0.0

    def stack(self, recordings):
        started = time.perf_counter()
        out = np.empty((len(recordings), 1, FRAMES, BINS), dtype=np.float64)
        for i, r in enumerate(recordings):
            if r["file"] not in self.features:
                self.features[r["file"]] = spectrogram(read_wav(self.folder / r["file"])[0])
            out[i, 0] = self.features[r["file"]]
        self.seconds += time.perf_counter() - started
        return out


def fold_data(splits, spectrograms):
    """torch_parity's (images, audio, labels) per split, the audio standardised with the training split's
    mean/std. Unimodal("audio") never reads the image, so it is an empty [N, 0] column."""
    audio = {split: spectrograms.stack(splits[split]) for split in SPLITS}
    mean, std = fit_standardize(audio["train"])
    data = {}
    for split in SPLITS:
        standardized = ((audio[split] - mean) / std).astype(np.float32)
        labels = torch.tensor([r["label"] for r in splits[split]], dtype=torch.int64)
        data[split] = (torch.empty((len(labels), 0)), torch.from_numpy(standardized), labels)
    return data, {"mean": mean, "std": std}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--folds", type=comma_list(str), default=list(SPEAKERS))
    parser.add_argument("--seeds", type=comma_list(int), default=[1])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--clip", type=float, default=8.0)
    parser.add_argument("--limit", type=int, default=None, help="at most this many clips per split (smoke runs)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    unknown = [f for f in args.folds if f not in SPEAKERS]
    if unknown:
        parser.error(f"--folds: unknown {', '.join(unknown)}; expected some of {', '.join(SPEAKERS)}")
    if args.epochs < 1 or args.batch < 1 or not args.seeds or not args.folds:
        parser.error("--epochs and --batch must be at least 1, and --seeds and --folds must name one")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    torch.set_num_threads(args.threads)

    folder = Path(args.data)
    recordings = read_recordings(folder)
    spectrograms = Spectrograms(folder)
    samples, standardize, runs = {}, {}, {}
    for fold in args.folds:
        splits = fold_splits(recordings, fold, args.limit)
        data, standardize[fold] = fold_data(splits, spectrograms)
        samples[fold] = {s: len(splits[s]) for s in SPLITS}
        progress = {"stage": "features", "fold": fold, "seconds": round(spectrograms.seconds, 3),
                    "samples": samples[fold], "spectrogram": standardize[fold]}
        print(json.dumps(progress), file=sys.stderr, flush=True)
        runs[fold] = {str(seed): train_one("audio", seed, data, args, tag={"fold": fold}) for seed in args.seeds}

    def over_seeds(fold, key):
        values = [r[key] for r in runs[fold].values()]
        return {**summarise(values), "values": values}

    summary = {fold: {"test": over_seeds(fold, "test"), "validation": over_seeds(fold, "validation")}
               for fold in args.folds}

    def over_folds(key):
        values = [summary[fold][key]["mean"] for fold in args.folds]
        return {**summarise(values), "values": values}

    result = {
        "side": "pytorch",
        "encoder": "multibench",
        "settings": {
            "model": "audio", "folds": args.folds, "seeds": args.seeds, "epochs": args.epochs,
            "batch": args.batch, "optimizer": "sgd", "lr": args.lr, "momentum": 0.0,
            "weight_decay": args.weight_decay, "clip": args.clip, "threads": torch.get_num_threads(),
            "selection": "best validation accuracy", "limit": args.limit,
        },
        "data": {
            "folder": str(folder),
            "clips": len(recordings),
            "split": f"test: the held-out speaker; validation: the others' index {VALIDATION_FROM}-49; "
                     f"train: the others' index 0-{VALIDATION_FROM - 1}",
            "samples": samples,
        },
        "spectrogram": standardize,
        "feature_seconds": round(spectrograms.seconds, 3),
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()},
        "runs": runs,
        "summary": summary,
        "overall": {"test": over_folds("test"), "validation": over_folds("validation")},
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        write_atomic(args.out, text + "\n")


if __name__ == "__main__":
    main()
