#!/usr/bin/env python3
"""barnn_torch: barnn-bench's BARNN model in PyTorch (CPU, float32), for a same-session comparison.

Mirrors Sources/BARNN/Layers/Network.swift with BARNNConfiguration's defaults (hidden H 64, embedding E 16, α-MLP
width A 32, F 4 time features, input I = 2 + F + 1 level column, gates G = 3H), per step and row:

    e   = x·We + be                                    embedding            [R, I]·[I, E]
    αx  = exp(clamp(tanh(e·Ax1 + bx1)·Ax2 + bx2, ±6))  α encoder of x       [R, E]·[E, A], [R, A]·[A, E]
    gx  = (e ⊙ αx ⊙ (1 + εx))·Wih + bih                input gate matmul    [R, E]·[E, G]
    αh  = exp(clamp(tanh([h, tf]·Ah1 + bh1)·Ah2 + bh2))  α encoder of h     [R, H+F]·[H+F, A], [R, A]·[A, H]
    gh  = (h ⊙ αh ⊙ (1 + εh))·Whh + bhh                hidden gate matmul   [R, H]·[H, G]
    r, u = σ(gx + gh);  n = tanh(gx_n + r ⊙ gh_n);  h' = (1 − u) ⊙ n + u ⊙ h
    (μ, log σ²) = h'·Wo + bo                            head                 [R, H]·[H, 2]

The weight noise w = α·Ω·(1 + ε) is per input unit of the two gate matmuls (BARNN.md, "Weights per step"), so, as in
barnnd, it is applied to the matmul inputs: fresh ε per row (stream × path) and step, and no per-path weight copies.
Sampling also draws the aleatoric ξ, feeds the sample back with the level context and ends with the mean and the
type-7 quantiles at 5/50/95 %. Not mirrored, as they leave the work per path-step alone: barnn-bench's warmed states
(random ones here), SeriesScale's exact scales, and barnnd's sampler threads (torch parallelises inside operations).

    barnn_torch.py [sample] [train] [flops] [--threads 1,2] [--streams 1,1024] [--chunk-rows 256,2048]

prints JSON lines with barnn-bench's field names (path_steps_per_s, steps_per_s, ms_per_call, threads, ...) plus
"impl": "torch", "torch_version" and the matmul FLOPs per path-step (counted by torch's FlopCounterMode on the very
code that is timed) beside barnnd's (counted from the GEMM calls of Network.swift and TrainingGraph.swift).
"""

import argparse
import json
import math
import os
import sys
import time

# libgomp's default waits spin; on a shared machine a spinning thread keeps the core its preempted partner needs, and
# torch, which joins its threads after every operation, fell 100-fold at 2 threads under load (barnnd joins once per
# forecast). Passive waits must be set before torch loads libgomp; a value in the environment is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

# BARNNConfiguration defaults (barnn-bench: BARNNConfiguration(hiddenSize: 64)).
H, E, A, F = 64, 16, 32, 4
I = 2 + F + 1  # scaled increment, missing flag, time features, level context
G = 3 * H
LOG_ALPHA_BOUND = 6.0
LOG_VARIANCE_BOUND = 14.0
INPUT_CLIP, LEVEL_CLIP = 20.0, 10.0
LEVEL_WINDOW = 168
BETA = 1e-3
PATHS, HORIZON = 32, 24
LEVELS = [0.05, 0.5, 0.95]
# TrainingOptions defaults used by barnn-bench's training lines.
BATCH, WINDOW, BURN_IN, STEPS = 64, 96, 16, 30
LEARNING_RATE, WARMUP, CLIP_NORM = 3e-3, 50, 1.0

SHAPES = {  # ParameterLayout, row-major [in, out] as in barnnd
    "We": (I, E), "be": (E,), "Ax1": (E, A), "bx1": (A,), "Ax2": (A, E), "bx2": (E,),
    "Ah1": (H + F, A), "bh1": (A,), "Ah2": (A, H), "bh2": (H,),
    "Wih": (E, G), "bih": (G,), "Whh": (H, G), "bhh": (G,), "Wo": (H, 2), "bo": (2,),
}


def torch_blas():
    """The BLAS torch was built with (BLAS_INFO in torch.__config__.show(), e.g. mkl) and the CPU kernels it runs."""
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", " ").split() if part.startswith("BLAS_INFO=")), "?")
    return f"{blas} ({torch.backends.cpu.get_cpu_capability()})"


def emit(fields):
    # Like barnn-bench's blas_core, every line names the kernels that ran.
    fields = dict(
        fields, impl="torch", torch_version=torch.__version__, torch_blas=torch_blas(),
        omp_wait_policy=os.environ["OMP_WAIT_POLICY"])
    print(json.dumps(fields, sort_keys=True), flush=True)


def initial_parameters(generator):
    """ParameterLayout.initialParameters: uniform ±1/√fan-in weights, zero biases, α output layers × 0.1."""
    p = {}
    for name, shape in SHAPES.items():
        if len(shape) == 1:
            p[name] = torch.zeros(shape)
        else:
            bound = 1 / math.sqrt(shape[0]) * (0.1 if name in ("Ax2", "Ah2") else 1)
            p[name] = (torch.rand(shape, generator=generator) * 2 - 1) * bound
    return p


# ---------------------------------------------------------------------------------------------------------------
# The forward step, shared by sampling and training.


def input_half(p, x, eps_x):
    """Embedding, α_x encoder, noisy embedding, input gate matmul (Network.inputForward); returns (gx, αx)."""
    e = torch.addmm(p["be"], x, p["We"])
    ox = torch.addmm(p["bx2"], torch.tanh(torch.addmm(p["bx1"], e, p["Ax1"])), p["Ax2"])
    alpha_x = torch.exp(torch.clamp(ox, -LOG_ALPHA_BOUND, LOG_ALPHA_BOUND))
    gx = torch.addmm(p["bih"], e * alpha_x * (1 + eps_x), p["Wih"])
    return gx, alpha_x


def recurrent_half(p, h, tf, gx, eps_h):
    """α_h encoder, noisy hidden matmul, GRU gates (Network.recurrentForward); returns (h', αh)."""
    hin = torch.cat((h, tf), dim=1)
    oh = torch.addmm(p["bh2"], torch.tanh(torch.addmm(p["bh1"], hin, p["Ah1"])), p["Ah2"])
    alpha_h = torch.exp(torch.clamp(oh, -LOG_ALPHA_BOUND, LOG_ALPHA_BOUND))
    gh = torch.addmm(p["bhh"], h * alpha_h * (1 + eps_h), p["Whh"])
    gx_ru, gx_n = gx.split((2 * H, H), dim=1)
    gh_ru, gh_n = gh.split((2 * H, H), dim=1)
    r, u = torch.sigmoid(gx_ru + gh_ru).chunk(2, dim=1)
    n = torch.tanh(torch.addcmul(gx_n, r, gh_n))
    return torch.lerp(n, h, u), alpha_h  # (1 − u)·n + u·h


def head(p, h):
    return torch.addmm(p["bo"], h, p["Wo"])


# ---------------------------------------------------------------------------------------------------------------
# Monte Carlo forecast (BARNNModel.sample with SamplingOptions.full).


def sample_rows(p, rows, h0, x0, tf, scale, level_scale, level_mean):
    """Unrolls `rows` Monte Carlo rows for HORIZON steps; returns the path offsets [rows, HORIZON]."""
    h, x = h0, x0.clone()
    offsets = torch.zeros(rows)
    paths = torch.empty(rows, HORIZON)
    level_mean = level_mean.clone()
    rate = 1 / LEVEL_WINDOW
    for k in range(HORIZON):
        x[:, 2 : 2 + F] = tf[:, k]
        eps = torch.randn(rows, E + H + 1)  # εx, εh and the aleatoric ξ, one draw per step as barnnd
        gx, _ = input_half(p, x, eps[:, :E])
        h, _ = recurrent_half(p, h, tf[:, k], gx, eps[:, E : E + H])
        out = head(p, h)
        sigma = torch.exp(torch.clamp(out[:, 1], -LOG_VARIANCE_BOUND, LOG_VARIANCE_BOUND) * 0.5)
        z = torch.addcmul(out[:, 0], sigma, eps[:, E + H])
        offsets += scale * z
        paths[:, k] = offsets
        x[:, 0] = torch.clamp(z, -INPUT_CLIP, INPUT_CLIP)
        x[:, 1] = 0
        deviation = offsets - level_mean
        level_mean += rate * deviation
        x[:, 2 + F] = torch.clamp(deviation / level_scale, -LEVEL_CLIP, LEVEL_CLIP)
    return paths


def sample(p, state, chunk_streams):
    """Forecast of N streams: S paths each, in chunks of `chunk_streams` streams; returns mean and quantiles."""
    hidden, x0, tf, scale, level_scale, level_mean = state
    n = hidden.shape[0]
    levels = torch.tensor(LEVELS)
    means, quantiles = [], []
    for first in range(0, n, chunk_streams):
        sl = slice(first, min(n, first + chunk_streams))
        rows = (sl.stop - sl.start) * PATHS
        rep = lambda t: t[sl].repeat_interleave(PATHS, dim=0)  # noqa: E731  (row = stream · S + path)
        paths = sample_rows(
            p, rows, rep(hidden), rep(x0), rep(tf), rep(scale), rep(level_scale), rep(level_mean)
        ).view(-1, PATHS, HORIZON)
        means.append(paths.mean(dim=1))
        quantiles.append(torch.quantile(paths, levels, dim=1))  # linear interpolation = type 7
    return torch.cat(means), torch.cat(quantiles, dim=1)


def stream_states(n, generator):
    """A stand-in for barnn-bench's warmed states: hidden states, pending inputs and scales per stream."""
    hidden = torch.tanh(torch.randn(n, H, generator=generator)) * 0.5
    x0 = torch.zeros(n, I)
    x0[:, 0] = torch.randn(n, generator=generator) * 0.5
    x0[:, 2 + F] = torch.randn(n, generator=generator) * 0.5
    steps = torch.arange(HORIZON, dtype=torch.float64) * 3600
    tf = calendar_features(steps).expand(n, HORIZON, F).contiguous()
    return hidden, x0, tf, torch.ones(n), torch.ones(n), torch.zeros(n)


def calendar_features(unix_times):
    """CalendarFeatures.hourAndWeek: sin/cos of the phase of the day and of the week (Monday 00:00 UTC)."""
    day = unix_times / 86400
    phases = [torch.frac(day), torch.frac((day + 3) / 7)]
    cols = []
    for ph in phases:
        cols += [torch.sin(2 * math.pi * ph), torch.cos(2 * math.pi * ph)]
    return torch.stack(cols, dim=-1).float()


def measure_best(body, minimum=0.6, rounds=5):
    """BenchmarkSupport.measureBest: one warm-up call, then the fastest of `rounds` rounds of ≥ minimum/rounds s."""
    body()
    best = None
    for _ in range(rounds):
        reps, start = 0, time.perf_counter()
        while True:
            body()
            reps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= minimum / rounds:
                break
        if best is None or elapsed / reps < best[1] / best[0]:
            best = (reps, elapsed)
    return best


# ---------------------------------------------------------------------------------------------------------------
# Training (BARNNTrainer.train over TrainingGraph: B windows × T steps, Adam, clipping, warm-up schedule).


def benchmark_series():
    """barnn-bench's sixteen 1200-step sines with a deterministic wiggle, as scaled model inputs and targets."""
    n, train_end = 1200, 1200 - int(1200 * 0.2)
    t = torch.arange(n, dtype=torch.float64)
    inputs, targets = [], []
    for i in range(16):
        wiggle = 0.1 * ((torch.arange(n) * 7919) % 13).double() / 13
        values = torch.sin(t * 2 * math.pi / (12 + i)) + wiggle
        inc = torch.zeros(n, dtype=torch.float64)
        inc[1:] = values[1:] - values[:-1]
        scale = inc[1:train_end].std().item()  # SeriesScale approximated by the increments' deviation
        inc /= scale
        # LevelContext: deviation from an exponential average of span W started at the mean of the first W values.
        mean, deviations = values[:LEVEL_WINDOW].mean().item(), []
        for y in values.tolist():
            deviations.append(y - mean)
            mean += (y - mean) / LEVEL_WINDOW
        deviations = torch.tensor(deviations, dtype=torch.float64)
        level = torch.clamp(deviations / deviations[:train_end].std(), -LEVEL_CLIP, LEVEL_CLIP)
        x = torch.zeros(n, I, dtype=torch.float64)
        x[1:, 0] = torch.clamp(inc[:-1], -INPUT_CLIP, INPUT_CLIP)  # row t reads the increment before it
        x[:, 2 : 2 + F] = calendar_features(t * 3600).double()
        x[1:, 2 + F] = level[:-1]
        inputs.append(x)
        targets.append(inc)
    return torch.stack(inputs).float(), torch.stack(targets).float(), train_end


def tvamp_kl(alpha):
    """TVampKL per step with batch moments: Σ_t Σ_j mean_b k_tbj for α [T, B, U]."""
    m = alpha.mean(dim=1, keepdim=True)
    v = (alpha * alpha).mean(dim=1, keepdim=True)
    k = ((alpha - m) ** 2 / v + alpha * alpha / v - 1 - torch.log(alpha * alpha / v)) / 2
    return k.mean(dim=1).sum()


def training_loss(p, x, y, mask, eps_x, eps_h):
    """TrainingGraph.run: input half over all T·B rows, the recurrence step by step, head, NLL + β·KL."""
    T, B = y.shape
    gx, alpha_x = input_half(p, x.view(T * B, I), eps_x.view(T * B, E))
    # unbind: its backward stacks the T gradients once (indexing gx[t] would fill a [T, B, G] zero tensor per step).
    gx_steps, tf_steps = gx.view(T, B, G).unbind(0), x[:, :, 2 : 2 + F].unbind(0)
    h = torch.zeros(B, H)
    hs, alphas_h = [], []
    for t, eps_t in enumerate(eps_h.unbind(0)):
        h, alpha_h = recurrent_half(p, h, tf_steps[t], gx_steps[t], eps_t)
        hs.append(h)
        alphas_h.append(alpha_h)
    out = head(p, torch.stack(hs).view(T * B, H))
    mu, lv = out[:, 0], torch.clamp(out[:, 1], -LOG_VARIANCE_BOUND, LOG_VARIANCE_BOUND)
    d = y.view(-1) - mu
    counted = mask.sum()
    nll = (((lv + d * d * torch.exp(-lv)) / 2 + 0.5 * math.log(2 * math.pi)) * mask.view(-1)).sum() / counted
    kl = (tvamp_kl(alpha_x.view(T, B, E)) + tvamp_kl(torch.stack(alphas_h))) / (T * (E + H))
    return nll + BETA * kl


class Trainer:
    """One training run: fresh parameters and Adam, batches of random windows, fresh noise per batch."""

    def __init__(self, data, seed):
        self.inputs, self.targets, train_end = data
        self.generator = torch.Generator().manual_seed(seed)
        self.p = {k: v.requires_grad_() for k, v in initial_parameters(self.generator).items()}
        self.params = list(self.p.values())
        self.optimizer = torch.optim.Adam(self.params, lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8)
        self.last_start = train_end - WINDOW  # window starts 1 ... trainEnd − T
        self.offsets = torch.arange(WINDOW)[:, None]
        self.mask = (self.offsets >= BURN_IN).float().expand(WINDOW, BATCH).contiguous()
        self.step_count = 0

    def batch(self):
        series = torch.randint(0, self.inputs.shape[0], (BATCH,), generator=self.generator)
        start = torch.randint(1, self.last_start + 1, (BATCH,), generator=self.generator)
        idx = start[None, :] + self.offsets  # [T, B]
        x, y = self.inputs[series[None, :], idx], self.targets[series[None, :], idx]
        return x, y, torch.randn(WINDOW, BATCH, E), torch.randn(WINDOW, BATCH, H)

    def step(self):
        self.step_count += 1
        x, y, eps_x, eps_h = self.batch()
        self.optimizer.zero_grad(set_to_none=False)
        loss = training_loss(self.p, x, y, self.mask, eps_x, eps_h)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.params, CLIP_NORM)
        if not torch.isfinite(norm):
            return
        for group in self.optimizer.param_groups:
            group["lr"] = LEARNING_RATE * min(1.0, self.step_count / WARMUP)
        self.optimizer.step()

    def evaluate(self):
        """One noisy forward without gradient (barnnd's report time includes the evaluation at the last step)."""
        with torch.no_grad():
            x, y, eps_x, eps_h = self.batch()
            return training_loss(self.p, x, y, self.mask, eps_x, eps_h).item()


def train_rate(data, seed):
    """Steps/s of one run of STEPS steps and the final evaluation (the initial evaluation untimed, as barnnd)."""
    trainer = Trainer(data, seed)
    trainer.evaluate()
    start = time.perf_counter()
    for _ in range(STEPS):
        trainer.step()
    trainer.evaluate()
    return STEPS / (time.perf_counter() - start)


# ---------------------------------------------------------------------------------------------------------------
# FLOPs per path-step and per training step.


def barnnd_matmul_flops():
    """barnnd's GEMM FLOPs (2·k·n per row of each [R, k]·[k, n]), read off Network.swift and TrainingGraph.swift."""
    hin = H + F
    forward = 2 * (
        I * E  # inputForward: embedding
        + E * A + A * E  # encodeAlpha(x): Ax1, Ax2
        + E * G  # gateLinear Wih
        + hin * A + A * H  # encodeAlpha(h): Ah1, Ah2
        + H * G  # gateLinear Whh
        + H * 2  # head
    )
    backward = 2 * (
        H * 2 + 2 * H  # dWo, dHead
        + G * H + H * A + A * hin  # per step: dh̃ = dGh·Whhᵀ, dah1 = dOh·Ah2ᵀ, dhin = dPreH·Ah1ᵀ
        + H * G + A * H + hin * A  # dWhh, dAh2, dAh1
        + E * G + G * E  # dWih, dẽ = dGx·Wihᵀ
        + A * E + E * A  # dAx2, dAx1 (hidden) = dOx·Ax2ᵀ
        + E * A + A * E  # dAx1 (weights), dE += dAx1·Ax1ᵀ
        + I * E  # dWe
    )
    return forward, backward


def torch_matmul_flops():
    """The timed torch code's matmul FLOPs as torch's FlopCounterMode counts them (addmm, mm, bmm)."""
    from torch.utils.flop_counter import FlopCounterMode

    g = torch.Generator().manual_seed(0)
    p = initial_parameters(g)
    n = 4
    with torch.inference_mode():
        state = stream_states(n, g)
        with FlopCounterMode(display=False) as counter:
            sample(p, state, chunk_streams=n)
    per_path_step = counter.get_total_flops() / (n * PATHS * HORIZON)

    trainer = Trainer(benchmark_series(), seed=0)
    x, y, eps_x, eps_h = trainer.batch()
    with FlopCounterMode(display=False) as counter:
        loss = training_loss(trainer.p, x, y, trainer.mask, eps_x, eps_h)
    forward = counter.get_total_flops() / (BATCH * WINDOW)
    with FlopCounterMode(display=False) as counter:
        loss.backward()
    backward = counter.get_total_flops() / (BATCH * WINDOW)
    return per_path_step, forward, backward


# ---------------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="*", metavar="sample|train|flops", help="what to run (default: all three)")
    parser.add_argument("--threads", default="1,2", help="torch.set_num_threads values (default 1,2)")
    parser.add_argument("--streams", default="1,1024", help="stream counts N for sample (default 1,1024)")
    parser.add_argument(
        "--chunk-rows", default="256,2048",
        help="rows (streams × paths) per unrolled chunk, 0 for all at once; 256 is barnnd's chunk, 2048 torch's best "
        "(eager ops cost the same per call whatever the rows; all 32768 rows of N=1024 at once fell out of cache, "
        "0.55M against 0.93M path-steps/s) (default 256,2048)")
    parser.add_argument("--train-runs", type=int, default=3, help="training runs per thread count, best kept")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    parts = set(args.parts) or {"sample", "train", "flops"}
    if not parts <= {"sample", "train", "flops"}:
        parser.error(f"unknown part: {sorted(parts - {'sample', 'train', 'flops'})}")
    threads = [int(t) for t in args.threads.split(",")]
    torch.manual_seed(args.seed)

    if "flops" in parts:
        torch.set_num_threads(1)
        forward, backward = barnnd_matmul_flops()
        torch_path_step, torch_forward, torch_backward = torch_matmul_flops()
        emit({
            "bench": "FLOPs per path-step (matmuls)", "threads": 1,
            "barnnd_flops_per_path_step": forward, "torch_flops_per_path_step": torch_path_step,
            "torch_vs_barnnd": round(torch_path_step / forward, 4),
            "barnnd_train_flops_per_row": forward + backward,
            "torch_train_flops_per_row": torch_forward + torch_backward,
            "train_torch_vs_barnnd": round((torch_forward + torch_backward) / (forward + backward), 4),
        })

    for k in threads if "sample" in parts else []:
        torch.set_num_threads(k)
        for n in [int(s) for s in args.streams.split(",")]:
            g = torch.Generator().manual_seed(args.seed)
            p = initial_parameters(g)
            with torch.inference_mode():
                state = stream_states(n, g)
                chunkings = [int(c) for c in args.chunk_rows.split(",")]
                # Streams per chunk, each distinct value once (at N=1 every chunking is the same single chunk).
                for chunk_streams in dict.fromkeys(min(n, c // PATHS or 1) if c else n for c in chunkings):
                    reps, seconds = measure_best(lambda: sample(p, state, chunk_streams))
                    emit({
                        "bench": f"torch.sample N={n} S={PATHS} H={HORIZON} hidden={H} threads={k} "
                        f"chunk_rows={chunk_streams * PATHS}",
                        "streams": n, "paths": PATHS, "horizon": HORIZON, "threads": k,
                        "chunk_rows": chunk_streams * PATHS,
                        "ms_per_call": round(seconds / reps * 1e3, 3),
                        "path_steps_per_s": round(n * PATHS * HORIZON * reps / seconds),
                    })

    if "train" in parts:
        data = benchmark_series()
        for k in threads:
            torch.set_num_threads(k)
            warm = Trainer(data, seed=args.seed)  # warm-up: allocator, kernels, autograd graph
            for _ in range(3):
                warm.step()
            rate = max(train_rate(data, seed=args.seed + r) for r in range(args.train_runs))
            emit({
                "bench": f"torch.train B={BATCH} T={WINDOW} hidden={H} threads={k}", "threads": k,
                "steps_per_s": round(rate, 2),
            })


if __name__ == "__main__":
    sys.exit(main())
