#!/usr/bin/python3
"""PyTorch reference timings on the shapes the .NET benchmarks use (random weights, float32, no autograd).

Our own minimal re-implementations of the layer structure (not the models' code): the musicgen-small decoder
step with classifier-free guidance (batch 2, KV cache, cross-attention over the prompt), MERT-330M (HuBERT-large
conv stack at 24 kHz + 24 stable-layer-norm transformer layers), ViT-B/16 and ViViT-B 16x2. Attention is written
as bmm + softmax + bmm, as transformers' Hubert/ViT/Musicgen attention ran on torch 1.13 (no fused kernel there).

    /usr/bin/python3 bench/pytorch/reference_speed.py   (Debian python3-torch 1.13.1, OpenBLAS) --threads 2 [--only decoder,mert,vit,vivit] [--mert-seconds 30]

Every figure is printed with the CPU model, torch version, thread count and /proc/loadavg. Debian's torch takes
its BLAS from the libblas.so.3 alternative: install libopenblas0-pthread (the issue's reference is OpenBLAS;
with the reference BLAS the decoder step is ~3x slower). The header line names the BLAS library loaded.
"""
import argparse, os, statistics, sys, time


def _threads_from_argv():
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "2"


# OpenBLAS reads its thread count when loaded: set it before torch loads it (torch.set_num_threads covers ATen)
os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads_from_argv())
os.environ.setdefault("OMP_NUM_THREADS", _threads_from_argv())
import torch
import torch.nn as nn
import torch.nn.functional as F


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def blas_library():
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and line.strip().endswith(".so.3") or "openblas" in line.lower()}
        return ", ".join(sorted(os.path.realpath(l) for l in libs if l.startswith("/"))) or "none mapped"
    except OSError:
        return "unknown"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


CPU_TIMES = {}


def timed(fn, repeat, label=None):
    """Median and min wall seconds; the median process CPU seconds (every thread) go to CPU_TIMES[label]."""
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    if label:
        CPU_TIMES[label] = statistics.median(cpu)
    return statistics.median(times), min(times)


def attention(q, k, v, heads):
    # q {B, n, D}, k/v {B, m, D} -> {B, n, D}: per-head bmm, softmax, bmm (transformers' eager attention)
    b, n, d = q.shape
    m = k.shape[1]
    hd = d // heads
    q = q.view(b, n, heads, hd).transpose(1, 2).reshape(b * heads, n, hd) * hd ** -0.5
    k = k.view(b, m, heads, hd).transpose(1, 2).reshape(b * heads, m, hd)
    v = v.view(b, m, heads, hd).transpose(1, 2).reshape(b * heads, m, hd)
    w = torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1)
    return torch.bmm(w, v).view(b, heads, n, hd).transpose(1, 2).reshape(b, n, d)


class EncoderLayer(nn.Module):
    """Pre-norm (stable layer norm) transformer layer: x + attn(LN(x)); x + FFN(LN(x))."""

    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.up, self.down = nn.Linear(d, ffn), nn.Linear(ffn, d)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.o(attention(self.q(h), self.k(h), self.v(h), self.heads))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


def bench_decoder(args):
    d, layers, heads, ffn, books, vocab, cond = 1024, 24, 16, 4096, 4, 2048, 12
    emb = nn.ModuleList(nn.Embedding(vocab + 1, d) for _ in range(books))
    blocks = []
    for _ in range(layers):
        blk = nn.ModuleDict(dict(ln1=nn.LayerNorm(d), ln2=nn.LayerNorm(d), ln3=nn.LayerNorm(d),
                                 q=nn.Linear(d, d, bias=False), k=nn.Linear(d, d, bias=False), v=nn.Linear(d, d, bias=False), o=nn.Linear(d, d, bias=False),
                                 cq=nn.Linear(d, d, bias=False), ck=nn.Linear(d, d, bias=False), cv=nn.Linear(d, d, bias=False), co=nn.Linear(d, d, bias=False),
                                 up=nn.Linear(d, ffn, bias=False), down=nn.Linear(ffn, d, bias=False)))
        blocks.append(blk)
    out_ln = nn.LayerNorm(d)
    lm_heads = nn.ModuleList(nn.Linear(d, vocab, bias=False) for _ in range(books))
    memory = torch.randn(2, cond, d)
    cross = [(b["ck"](memory), b["cv"](memory)) for b in blocks]
    for dtype_name in args.decoder_types:
        dtype = {"f32": torch.float32, "bf16": torch.bfloat16}[dtype_name]
        mods = [emb, out_ln, lm_heads] + blocks
        for m in mods:
            m.to(dtype)
        crossd = [(k.to(dtype), v.to(dtype)) for k, v in cross]
        cache = [[None, None] for _ in range(layers)]
        tokens = torch.randint(0, vocab, (2, books))

        def step():
            x = sum(emb[i](tokens[:, i]) for i in range(books)).unsqueeze(1)
            for li, b in enumerate(blocks):
                h = b["ln1"](x)
                k, v = b["k"](h), b["v"](h)
                ck, cv = cache[li]
                cache[li] = [k if ck is None else torch.cat([ck, k], 1), v if cv is None else torch.cat([cv, v], 1)]
                x = x + b["o"](attention(b["q"](h), cache[li][0], cache[li][1], heads))
                h = b["ln2"](x)
                x = x + b["co"](attention(b["cq"](h), crossd[li][0], crossd[li][1], heads))
                x = x + b["down"](F.gelu(b["up"](b["ln3"](x))))
            h = out_ln(x)
            return [hd(h) for hd in lm_heads]

        times = []
        with torch.no_grad():
            for s in range(args.steps):
                t = time.perf_counter()
                step()
                times.append(time.perf_counter() - t)
        mid = statistics.median(times[len(times) // 4:])
        print(f"decoder {dtype_name}: musicgen-small step with CFG (batch 2), {args.steps} steps from an empty cache: "
              f"median {mid * 1000:.1f} ms = {1 / mid:.2f} steps/s (first {times[0] * 1000:.0f} ms, last {times[-1] * 1000:.1f} ms)  [loadavg {loadavg()}]")


def bench_mert(args):
    # HuBERT-large conv stack (conv_bias, layer norm per conv, GELU), 24 kHz input with 320 samples per frame
    kernels, strides = (10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2)
    convs, norms, cin = nn.ModuleList(), nn.ModuleList(), 1
    for k, s in zip(kernels, strides):
        convs.append(nn.Conv1d(cin, 512, k, s, bias=True))
        norms.append(nn.LayerNorm(512))
        cin = 512
    proj_ln, proj = nn.LayerNorm(512), nn.Linear(512, 1024)
    pos = nn.Conv1d(1024, 1024, 128, padding=64, groups=16)
    layers = nn.ModuleList(EncoderLayer(1024, 16, 4096) for _ in range(24))
    final_ln = nn.LayerNorm(1024)
    wave = torch.randn(1, 1, int(args.mert_seconds * 24000))

    def run():
        x = wave
        for c, n in zip(convs, norms):
            x = F.gelu(n(c(x).transpose(1, 2)).transpose(1, 2))
        x = proj(proj_ln(x.transpose(1, 2)))
        x = x + F.gelu(pos(x.transpose(1, 2))[:, :, :-1].transpose(1, 2))
        states = []
        for layer in layers:
            x = layer(x)
            states.append(x)
        states[-1] = final_ln(x)
        return torch.stack(states).mean(2)  # the [25, 1024] time means M2UGen takes (24 here + input)

    with torch.no_grad():
        med, best = timed(run, args.repeat, "mert")
    print(f"mert: MERT-330M shape, {args.mert_seconds:g} s of 24 kHz audio: median {med:.2f} s (min {best:.2f}) = "
          f"{args.mert_seconds / med:.2f}x real time; process CPU time {CPU_TIMES['mert']:.2f} s  [loadavg {loadavg()}]")


def bench_vision(args, name, tokens, batch, patch_in):
    layers = nn.ModuleList(EncoderLayer(768, 12, 3072) for _ in range(12))
    embed = nn.Linear(patch_in, 768)
    x0 = torch.randn(batch, tokens, patch_in)

    def run():
        x = embed(x0)
        for layer in layers:
            x = layer(x)
        return x

    with torch.no_grad():
        med, best = timed(run, args.repeat, name)
    print(f"{name}: {tokens} tokens x batch {batch}: median {med * 1000:.0f} ms (min {best * 1000:.0f}) = "
          f"{med * 1000 / batch:.0f} ms per item; process CPU time {CPU_TIMES[name] * 1000:.0f} ms  [loadavg {loadavg()}]")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--only", default="decoder,mert,vit,vivit")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--steps", type=int, default=256, help="decoder steps timed (from an empty cache)")
    p.add_argument("--decoder-types", default="f32", help="comma list of f32,bf16")
    p.add_argument("--mert-seconds", type=float, default=30)
    args = p.parse_args()
    args.decoder_types = args.decoder_types.split(",")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"PyTorch {torch.__version__}, BLAS {blas_library()}, {args.threads} threads, CPU {cpu_model()}, loadavg {loadavg()}")
    only = args.only.split(",")
    if "decoder" in only: bench_decoder(args)
    if "mert" in only: bench_mert(args)
    if "vit" in only:
        bench_vision(args, "vit", 197, 1, 768)
        bench_vision(args, "vit", 197, 8, 768)
    if "vivit" in only: bench_vision(args, "vivit", 3137, 1, 2 * 768)


if __name__ == "__main__":
    main()
