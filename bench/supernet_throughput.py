#!/usr/bin/python3
"""Python twin of bench/supernet_throughput.cpp: the same mbv3 supernet
(elastic kernel with per-size transforms, elastic expand ratio and depth,
dynamic batch norm, squeeze-excite) and the same sandwich step (largest,
smallest and n random subnets, in-place distillation, SGD with Nesterov
momentum) in PyTorch, timed the same way.

Needs Debian's python3-torch (the same 1.13 as libtorch-dev):
    apt-get install -y python3-torch
and runs with /usr/bin/python3 (not a pyenv/virtualenv python):
    /usr/bin/python3 bench/supernet_throughput.py [steps] [batch] [threads] [random] [stem_stride]
bench/supernet_throughput.sh runs both and prints the ratio.
"""
import math
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_divisible(v, d=8):
    r = max(d, int(v + d / 2) // d * d)
    if r < 0.9 * v:
        r += d
    return r


class DynamicPointConv(nn.Module):
    def __init__(self, cin, cout, bias=False):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin, 1, 1))
        nn.init.kaiming_normal_(self.weight, mode="fan_out")
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x, out):
        w = self.weight[:out, :x.size(1)].contiguous()
        return F.conv2d(x, w, None if self.bias is None else self.bias[:out])


class DynamicDepthwise(nn.Module):
    def __init__(self, channels, kernels, stride):
        super().__init__()
        self.kernels, self.stride = kernels, stride
        k = kernels[-1]
        self.weight = nn.Parameter(torch.empty(channels, 1, k, k))
        nn.init.kaiming_normal_(self.weight, mode="fan_out")
        self.transforms = nn.ParameterList(
            [nn.Parameter(torch.eye(s * s)) for s in kernels[:-1]])

    def forward(self, x, kernel):
        c = x.size(1)
        w = self.weight[:c]
        for i in range(len(self.kernels) - 2, -1, -1):
            if self.kernels[i + 1] <= kernel:
                break
            f, t = self.kernels[i + 1], self.kernels[i]
            s = (f - t) // 2
            w = w[:, :, s:s + t, s:s + t].reshape(c, t * t)
            w = torch.matmul(w, self.transforms[i].t()).reshape(c, 1, t, t)
        return F.conv2d(x, w.contiguous(), None, self.stride, kernel // 2, 1, c)


class DynamicBN(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.register_buffer("running_mean", torch.zeros(c))
        self.register_buffer("running_var", torch.ones(c))

    def forward(self, x):
        c = x.size(1)
        return F.batch_norm(x, self.running_mean[:c], self.running_var[:c], self.weight[:c],
                            self.bias[:c], self.training, 0.1, 1e-5)


class DynamicSE(nn.Module):
    def __init__(self, c):
        super().__init__()
        mid = make_divisible(c / 4)
        self.reduce = DynamicPointConv(c, mid, True)
        self.expand = DynamicPointConv(mid, c, True)

    def forward(self, x):
        c = x.size(1)
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.relu(self.reduce(s, make_divisible(c / 4)))
        return x * F.hardsigmoid(self.expand(s, c))


class Block(nn.Module):
    def __init__(self, cin, cout, stride, se, hswish, kernels, max_expand):
        super().__init__()
        hidden = make_divisible(cin * max_expand)
        self.cin, self.cout, self.hswish = cin, cout, hswish
        self.residual = stride == 1 and cin == cout
        self.expand_conv, self.expand_bn = DynamicPointConv(cin, hidden), DynamicBN(hidden)
        self.depthwise, self.depthwise_bn = DynamicDepthwise(hidden, kernels, stride), DynamicBN(hidden)
        self.se = DynamicSE(hidden) if se else None
        self.project_conv, self.project_bn = DynamicPointConv(hidden, cout), DynamicBN(cout)

    def act(self, x):
        return F.hardswish(x) if self.hswish else F.relu(x)

    def forward(self, x, kernel, expand):
        y = self.act(self.expand_bn(self.expand_conv(x, make_divisible(self.cin * expand))))
        y = self.act(self.depthwise_bn(self.depthwise(y, kernel)))
        if self.se is not None:
            y = self.se(y)
        y = self.project_bn(self.project_conv(y, self.cout))
        return y + x if self.residual else y


class Supernet(nn.Module):
    # The quickstart layout, as bench/supernet_throughput.cpp builds it.
    def __init__(self, stem_stride):
        super().__init__()
        self.kernels, self.expands, self.depths = [3, 5, 7], [3, 4, 6], [2, 3]
        stages = [(24, 2 if stem_stride == 1 else 1, False, False), (40, 2, True, False), (64, 2, True, True)]
        self.stem = nn.Conv2d(1, 16, 3, stem_stride, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.stages = nn.ModuleList()
        c = 16
        for width, stride, se, hswish in stages:
            blocks = nn.ModuleList()
            for b in range(self.depths[-1]):
                blocks.append(Block(c, width, stride if b == 0 else 1, se, hswish, self.kernels,
                                    self.expands[-1]))
                c = width
            self.stages.append(blocks)
        self.head = nn.Conv2d(c, 256, 1, bias=False)
        self.head_bn = nn.BatchNorm2d(256)
        self.classifier = nn.Linear(256, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")

    def forward(self, x, subnet):
        y = F.hardswish(self.stem_bn(self.stem(x)))
        # Same layout as the C++ supernet on CPU (channels-last after the stem).
        y = y.contiguous(memory_format=torch.channels_last)
        for blocks, stage in zip(self.stages, subnet):
            for block, (k, e) in zip(blocks, stage):
                y = block(y, k, e)
        y = F.hardswish(self.head_bn(self.head(y)))
        return self.classifier(F.adaptive_avg_pool2d(y, 1).flatten(1))

    def largest(self):
        return [[(self.kernels[-1], self.expands[-1])] * self.depths[-1] for _ in self.stages]

    def smallest(self):
        return [[(self.kernels[0], self.expands[0])] * self.depths[0] for _ in self.stages]

    def sample(self, rng):
        return [[(rng.choice(self.kernels), rng.choice(self.expands))
                 for _ in range(rng.choice(self.depths))] for _ in self.stages]


def main():
    args = [int(a) for a in sys.argv[1:]]
    steps, batch, threads, n_random, stem_stride = (args + [20, 128, 2, 2, 1][len(args):])[:5]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = Supernet(stem_stride)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    rng = random.Random(0)

    def step():
        opt.zero_grad()
        subnets = [net.largest(), net.smallest()] + [net.sample(rng) for _ in range(n_random)]
        teacher = None
        for i, s in enumerate(subnets):
            logits = net(x, s)
            if i == 0:
                loss = F.cross_entropy(logits, y, label_smoothing=0.1)
                teacher = F.softmax(logits.detach(), 1)
            else:
                loss = -(teacher * F.log_softmax(logits, 1)).sum(1).mean()
            loss.backward()
        opt.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start
    print(f"py   PyTorch {torch.__version__}: {steps} sandwich steps ({2 + n_random} subnets, "
          f"batch {batch}, {threads} threads) in {seconds:.2f}s: {steps * batch / seconds:.1f} "
          f"images/s ({1000 * seconds / steps:.1f} ms/step)")


if __name__ == "__main__":
    main()
