"""One epoch of the tutorial's MNIST protocol in PyTorch, for bench/train.ts to compare against.

The protocol is the one src/train uses: the whole training set normalised in memory, a fresh
permutation per epoch, batches of 64 gathered by index, NLL loss on log-probabilities, and a test
pass in batches of 1000 (summed NLL / N and accuracy, as the 2018 pytorch/examples script computes
them). It reads the same IDX files (raw or gzip) and prints one JSON object on stdout.
"""
import argparse
import gzip
import json
import math
import resource
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    body = raw[4 + 4 * ndim :]
    if len(body) != math.prod(dims):
        sys.exit(f"{path}: {len(body)} bytes of data, the header says {math.prod(dims)}")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(dims)


def normalise(images, mean, std, limit):
    x = images[:limit] if limit else images
    return x.float().div(255).sub(mean).div(std).unsqueeze(1)


class SeedNet(nn.Module):
    """The 2018 pytorch/examples mnist network."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


class ModernNet(nn.Module):
    """The current pytorch/examples mnist network."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


class LeNet(nn.Module):
    """The 2018-2019 pytorch/examples mnist network (Caffe's LeNet)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5, 1)
        self.conv2 = nn.Conv2d(20, 50, 5, 1)
        self.fc1 = nn.Linear(4 * 4 * 50, 500)
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2, 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2, 2)
        x = F.relu(self.fc1(x.view(-1, 4 * 4 * 50)))
        return F.log_softmax(self.fc2(x), dim=1)


NETS = {"seed": SeedNet, "modern": ModernNet, "lenet": LeNet}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-images", required=True)
    parser.add_argument("--train-labels", required=True)
    parser.add_argument("--test-images", required=True)
    parser.add_argument("--test-labels", required=True)
    parser.add_argument("--mean", type=float, required=True)
    parser.add_argument("--std", type=float, required=True)
    parser.add_argument("--net", choices=sorted(NETS), default="seed")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads and set_num_interop_threads; 0 keeps PyTorch's default")
    args = parser.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train = normalise(read_idx(args.train_images), args.mean, args.std, args.limit)
    y_train = read_idx(args.train_labels)[: len(x_train)].long()
    x_test = normalise(read_idx(args.test_images), args.mean, args.std, 0)
    y_test = read_idx(args.test_labels).long()

    model = NETS[args.net]()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.perf_counter()
        order = torch.randperm(len(x_train))
        loss_sum = torch.zeros(())
        for start in range(0, len(x_train), 64):
            index = order[start : start + 64]
            data, target = x_train[index], y_train[index]
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach() * len(index)
        train_seconds = time.perf_counter() - started

        model.eval()
        started = time.perf_counter()
        test_loss, correct = 0.0, 0
        with torch.no_grad():
            for start in range(0, len(x_test), 1000):
                output = model(x_test[start : start + 1000])
                target = y_test[start : start + 1000]
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                correct += output.argmax(dim=1).eq(target).sum().item()
        epochs.append(
            {
                "epoch": epoch,
                "train_loss": loss_sum.item() / len(x_train),
                "test_loss": test_loss / len(x_test),
                "test_acc": correct / len(x_test),
                "train_seconds": train_seconds,
                "test_seconds": time.perf_counter() - started,
            }
        )
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "interop_threads": torch.get_num_interop_threads(),
                "net": args.net,
                "train_images": len(x_train),
                "epochs": epochs,
                "peak_rss_mb": peak_rss_mb,
            }
        )
    )


if __name__ == "__main__":
    main()
