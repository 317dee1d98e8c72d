"""PyTorch twin of ClipTTS's FastSpeech 2 FFT block training step (bench/engine.ts runs both).

Usage: /usr/bin/python3 bench/torch/fft_block_step.py THREADS [STEPS]
Prints one JSON line: {"threads": T, "median_ms": ..., "runs": [...]}.
Same model as src/engine/nn/blocks.ts FFTBlock: post-norm multi-head self-attention with a
key-padding mask, conv FFN (kernel 9 then 1), dropout 0.1; batch 16 x 400 frames, hidden 256,
2 heads, FFN 1024, ragged lengths; MSE loss, AdamW step.
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1])
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
torch.set_num_threads(threads)
torch.manual_seed(0)

B, T, D, H, FF, K1, K2, P = 16, 400, 256, 2, 1024, 9, 1, 0.1


class FFTBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(D, 3 * D)
        self.out = nn.Linear(D, D)
        self.norm1 = nn.LayerNorm(D)
        self.conv1 = nn.Conv1d(D, FF, K1, padding=(K1 - 1) // 2)
        self.conv2 = nn.Conv1d(FF, D, K2, padding=(K2 - 1) // 2)
        self.norm2 = nn.LayerNorm(D)
        self.drop = nn.Dropout(P)

    def forward(self, x, pad):  # x [B, T, D]; pad [B, T] bool, True = padding
        b, t, _ = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, H, D // H).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / math.sqrt(D // H)
        scores = scores.masked_fill(pad[:, None, None, :], -1e9)
        attn = self.drop(torch.softmax(scores, dim=-1))
        y = (attn @ v).transpose(1, 2).reshape(b, t, D)
        x = self.norm1(x + self.drop(self.out(y)))
        x = x.masked_fill(pad[..., None], 0)
        h = F.relu(self.conv1(x.transpose(1, 2)))
        h = self.drop(self.conv2(h).transpose(1, 2))
        x = self.norm2(x + h)
        return x.masked_fill(pad[..., None], 0)


model = FFTBlock()
opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
x = torch.randn(B, T, D)
target = torch.randn(B, T, D)
lengths = torch.tensor([T - (i * 17) % 160 for i in range(B)])
pad = torch.arange(T)[None, :] >= lengths[:, None]


def step():
    opt.zero_grad(set_to_none=True)
    y = model(x, pad)
    loss = F.mse_loss(y, target)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(3):
    step()
runs = []
for _ in range(steps):
    t0 = time.perf_counter()
    step()
    runs.append((time.perf_counter() - t0) * 1000)
runs_sorted = sorted(runs)
print(json.dumps({"threads": threads, "median_ms": runs_sorted[len(runs) // 2], "runs": [round(r, 1) for r in runs]}))
