"""SambaY (bf16, int8) against the dense peer on this CPU: prefill, decode, memory, roofline (issue 15).

    .venv/bin/python bench/cpu_decode.py [--rounds 2] [--decode-lengths 128 1024 4096]
        [--prefill-lengths 128 1024] [--new-tokens 16] [--cache ~/.cache/flashtutor-bench]

Builds two random-weight bf16 checkpoints once under --cache: SambaY in the official 3.8B format
(Phi-4-mini-flash-reasoning's config.json), and the peer a user would otherwise run, transformers'
Phi3ForCausalLM with Phi-4-mini-reasoning's shape (3.84B, tied embeddings; needs the ``bench`` extra).
Each round runs two subprocesses: ours (bf16 and int8 held side by side, 14 GB) and the peer (never
two 8 GB bf16 models in one process). Within a process the models decode in alternation, step by
step, so that they share the machine's moments: on a shared machine the bandwidth swings by a third
within minutes, and a burst that fell on one variant's whole turn decided its median. Decode starts
from a state filled with random values at each prompt length (what is in the cache does not change
the work, and it spares a 4,096-token prefill per model and round); prefill is timed on real prompts.
The roofline is the bytes one decode step must read (weights + state) over the bandwidth, probed
(a float32 matrix-vector product over 1 GiB, about 50 ms) in the same process just before each step:
each step is held against the bandwidth of its own moment. int8's speed-up over bf16 is the median of
the ratios of adjacent steps (the ratio of the medians is reported beside it). Peak memory is taken
in one more process per variant, alone.
Writes bench/results/cpu_decode.json and .md. ``--layouts`` adds the per-shape matrix-vector table
behind model/packing.py's choices; ``--profile`` adds the top operators of one decode step.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VARIANTS = ("ours-bf16", "ours-int8", "peer-bf16")
# config.json of microsoft/Phi-4-mini-flash-reasoning, as far as the network needs it.
SAMBAY_CONFIG = {
    "architectures": ["Phi4FlashForCausalLM"],
    "model_type": "phi4flash",
    "vocab_size": 200064,
    "hidden_size": 2560,
    "intermediate_size": 10240,
    "num_hidden_layers": 32,
    "num_attention_heads": 40,
    "num_key_value_heads": 20,
    "sliding_window": 512,
    "layer_norm_eps": 1e-5,
    "mamba_d_state": 16,
    "mamba_d_conv": 4,
    "mamba_expand": 2,
    "mamba_conv_bias": True,
    "mamba_proj_bias": False,
    "tie_word_embeddings": True,
    "eos_token_id": 199999,
    "torch_dtype": "bfloat16",
}
# Phi-4-mini-reasoning's shape (rotary: plain, not LongRoPE; it does not change the work per token).
PEER_CONFIG = {
    "vocab_size": 200064,
    "hidden_size": 3072,
    "intermediate_size": 8192,
    "num_hidden_layers": 32,
    "num_attention_heads": 24,
    "num_key_value_heads": 8,
    "partial_rotary_factor": 0.75,
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": True,
    "pad_token_id": 199999,
    "eos_token_id": 199999,
    "bos_token_id": 199999,
}


# -- building the checkpoints (each in its own subprocess) -------------------------------------------
class RandomFill:
    """Normal(0, 1) values for billions of weights at copying speed: slices of a 2^24-value pool taken
    at random offsets (drawing every value afresh took about 25 minutes on the 2-core machine)."""

    def __init__(self, seed: int) -> None:
        self.generator = torch.Generator().manual_seed(seed)
        self.pool = torch.randn(2**24, generator=self.generator)

    def __call__(self, shape: tuple[int, ...] | torch.Size, std: float) -> torch.Tensor:
        out = torch.empty(math.prod(shape))
        for start in range(0, out.numel(), self.pool.numel() // 2):
            piece = out[start : start + self.pool.numel() // 2]
            offset = int(torch.randint(0, self.pool.numel() // 2, (), generator=self.generator))
            piece.copy_(self.pool[offset : offset + piece.numel()])
        return out.view(shape).mul_(std)


def build_sambay(folder: Path, config: dict = SAMBAY_CONFIG) -> None:
    """Random bf16 weights in the official names and shapes, one safetensors shard per few layers."""
    from safetensors.torch import save_file

    from model.config import SambaYConfig
    from model.loader import CHECKPOINT_PREFIX, INDEX_FILE
    from model.sambay import FLOAT32_PARAMETERS, SambaY

    with torch.device("meta"):
        shapes = {n: p.shape for n, p in SambaY(SambaYConfig.from_dict(config)).named_parameters()}
    generator, normal = torch.Generator().manual_seed(0), RandomFill(0)
    folder.mkdir(parents=True, exist_ok=True)
    weight_map, shard, shard_bytes, count = {}, {}, 0, 0

    def flush() -> None:
        nonlocal shard, shard_bytes, count
        name = f"model-{count:05d}.safetensors"
        save_file(shard, str(folder / name), metadata={"format": "pt"})
        weight_map.update({key: name for key in shard})
        shard, shard_bytes, count = {}, 0, count + 1

    for name, shape in shapes.items():
        leaf = name.rsplit(".", 1)[-1]
        if "layernorm" in name or "subln" in name:
            tensor = torch.ones(shape) if leaf == "weight" else torch.zeros(shape)
        elif leaf == "A_log":
            tensor = torch.log(torch.arange(1, shape[1] + 1, dtype=torch.float32)).repeat(shape[0], 1)
        elif name.endswith("dt_proj.bias"):  # softplus^-1 of steps between 0.001 and 0.1, as Mamba's init
            dt = torch.exp(torch.rand(shape, generator=generator) * math.log(100) + math.log(1e-3))
            tensor = dt + torch.log(-torch.expm1(-dt))
        elif leaf == "D":
            tensor = torch.ones(shape)
        elif leaf in FLOAT32_PARAMETERS or leaf == "bias":
            tensor = normal(shape, 0.1)
        else:
            tensor = normal(shape, 0.02)
        dtype = torch.float32 if leaf in FLOAT32_PARAMETERS else torch.bfloat16
        shard[CHECKPOINT_PREFIX + name] = tensor.to(dtype).contiguous()
        shard_bytes += tensor.numel() * tensor.element_size()
        if shard_bytes > 2**30:
            flush()
    flush()
    (folder / INDEX_FILE).write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    (folder / "config.json").write_text(json.dumps(config))


def build_peer(folder: Path, config: dict = PEER_CONFIG) -> None:
    from transformers import Phi3Config, Phi3ForCausalLM

    with torch.device("meta"):
        model = Phi3ForCausalLM(Phi3Config(**config))
    model = model.to_empty(device="cpu").to(torch.bfloat16)
    model.tie_weights()  # to_empty gave the LM head a storage of its own
    normal = RandomFill(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.ones(p.shape) if "norm" in name else normal(p.shape, 0.02))
        for name, b in model.named_buffers():  # the rotary frequencies
            if "inv_freq" in name:
                dim = b.numel() * 2
                b.copy_(1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)))
    model.save_pretrained(folder)


# -- models in one process ----------------------------------------------------------------------------
def run_models(variants: list[str], folders: dict[str, Path], args: argparse.Namespace) -> list[dict]:
    """Prefill and decode timings of the models in ``variants``, loaded side by side; the prompts are
    timed first (with a truncated peer when ``args.peer_prefill_layers`` is set), then at each prompt
    length the models decode in alternation, step by step, each step after a bandwidth probe."""
    keys = ("prefill_s", "decode_ms", "bytes_per_token", "bandwidth_gb_s")
    results = {v: {"variant": v, **{key: {} for key in keys}} for v in variants}
    models = {}
    for variant in variants:
        models[variant] = time_prefill(variant, folders[variant], args, results[variant])
    probe = torch.ones(2**28)  # 1 GiB, allocated once
    probe_bandwidth(probe)
    for length in args.decode_lengths:
        steppers = {v: decoder(model, length, args.new_tokens) for v, model in models.items()}
        steps: dict[str, list[float]] = {v: [] for v in variants}
        bandwidth: dict[str, list[float]] = {v: [] for v in variants}
        for step in range(args.new_tokens):  # the order alternates too: neither always follows the other
            for variant in variants if step % 2 == 0 else variants[::-1]:
                bandwidth[variant].append(probe_bandwidth(probe))
                steps[variant].append(steppers[variant][0](step))
        for variant in variants:
            results[variant]["decode_ms"][length] = [round(t * 1e3, 2) for t in steps[variant]]
            results[variant]["bytes_per_token"][length] = steppers[variant][1]
            results[variant]["bandwidth_gb_s"][length] = bandwidth[variant]
        del steppers
    return list(results.values())


def time_prefill(variant: str, folder: Path, args: argparse.Namespace, result: dict):
    """Load ``variant``, time its prompts into ``result`` (when it is one of ``args.prefill_variants``)
    and return the model ready to decode."""
    layers = getattr(args, "peer_prefill_layers", None) if variant.startswith("peer") else None
    model = load_ours(variant, folder) if variant.startswith("ours") else load_peer(folder, layers)
    generator = torch.Generator().manual_seed(1)
    # One short prompt first: memory-mapped weights are read from the page cache (or the disk) on first
    # touch, which is loading, not prefill (it made a first 128-token prompt 3x slower than a second).
    prefill(model, torch.randint(0, vocab_size(model) - 64, (1, 16), generator=generator))
    for length in args.prefill_lengths if variant in getattr(args, "prefill_variants", VARIANTS) else ():
        ids = torch.randint(0, vocab_size(model) - 64, (1, length), generator=generator)
        start = time.perf_counter()
        prefill(model, ids)
        seconds = time.perf_counter() - start
        if layers:  # every decoder layer does the same work; embedding and one-row head are negligible
            seconds *= PEER_CONFIG["num_hidden_layers"] / layers
        result["prefill_s"][length] = round(seconds, 3)
    if layers:
        result["prefill_extrapolated_from_layers"] = layers
        del model
        model = load_peer(folder)
    return model


def peak_memory(variant: str, folder: Path, args: argparse.Namespace) -> dict:
    """The peak resident memory of ``variant`` alone (its own process) over what a timing run does:
    load, the prompts, a decoding step at each prompt length."""
    model = time_prefill(variant, folder, args, {"prefill_s": {}})
    rss_after_load = rss_gb()
    for length in args.decode_lengths:
        step, _ = decoder(model, length, 1)
        step(0)
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    return {"variant": variant, "rss_after_load_gb": rss_after_load, "peak_rss_gb": peak}


def load_ours(variant: str, folder: Path):
    from model.loader import load_model

    options = {"quantize": "int8"} if variant == "ours-int8" else {}  # older code (--profile-before) has none
    return load_model(folder, "cpu", torch.bfloat16, **options)


def load_peer(folder: Path, layers: int | None = None):
    """The peer, or only its first ``layers`` decoder layers."""
    from transformers import Phi3ForCausalLM

    options = {"num_hidden_layers": layers} if layers else {}
    return Phi3ForCausalLM.from_pretrained(folder, dtype=torch.bfloat16, **options).eval()


@torch.inference_mode()
def prefill(model, ids: torch.Tensor) -> None:
    if hasattr(model, "prefill"):
        model.prefill(ids, model.allocate_state(1, ids.shape[1] + 1), torch.zeros(1, dtype=torch.long))
    else:  # as generate() does: the LM head only for the last position
        model(input_ids=ids, use_cache=True, logits_to_keep=1)


def decoder(model, length: int, new_tokens: int) -> tuple[Callable[[int], float], int]:
    """(step, bytes): ``step(i)`` runs greedy decode step i after ``length`` cached positions and
    returns its seconds; ``bytes`` is what one step reads."""
    generator = torch.Generator().manual_seed(2)
    token = torch.tensor([vocab_size(model) // 2])
    if hasattr(model, "decode"):
        state = model.allocate_state(1, length + new_tokens)
        for tensor in state.tensors():
            tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.5)
        slot = torch.zeros(1, dtype=torch.long)

        @torch.inference_mode()
        def step(i: int) -> float:
            nonlocal token
            start = time.perf_counter()
            token = model.decode(token, state, slot, torch.tensor([length + i])).argmax(-1)
            return time.perf_counter() - start

        return step, weight_bytes(model) + state.nbytes()
    from transformers import DynamicCache

    config = model.config
    cache = DynamicCache(config=config)
    head_dim = config.hidden_size // config.num_attention_heads
    shape = (1, config.num_key_value_heads, length, head_dim)
    for layer in range(config.num_hidden_layers):
        k, v = (torch.randn(shape, generator=generator).bfloat16() for _ in range(2))
        cache.update(k, v, layer)

    @torch.inference_mode()
    def peer_step(i: int) -> float:
        nonlocal token
        start = time.perf_counter()
        out = model(
            input_ids=token[None],
            past_key_values=cache,
            use_cache=True,
            position_ids=torch.tensor([[length + i]]),
            cache_position=torch.tensor([length + i]),
        )
        token = out.logits[:, -1].argmax(-1)
        return time.perf_counter() - start

    return peer_step, weight_bytes(model) + 2 * config.num_hidden_layers * math.prod(shape) * 2


def vocab_size(model) -> int:
    return model.config.vocab_size


def weight_bytes(model) -> int:
    """Bytes of weights one decode step reads: every parameter and buffer (packed ones included), the
    embedding once (one row is looked up; the LM head reads it all, or reads its packed copy)."""
    from model.packing import PackedLinear

    total, seen = 0, set()
    for module in model.modules():
        if isinstance(module, PackedLinear):  # fbgemm's packs are not parameters (Int8Linear's are buffers)
            total += module.in_features * module.out_features * 2
    for tensor in [*model.parameters(), *model.buffers()]:
        if tensor.data_ptr() not in seen:
            seen.add(tensor.data_ptr())
            total += tensor.numel() * tensor.element_size()
    head = getattr(model, "lm_head", None)
    if head is not None and hasattr(model, "embed_tokens"):
        embedding = model.embed_tokens.weight
        if getattr(head, "weight", None) is not embedding:  # a packed head: the table itself is only indexed
            total -= embedding.numel() * embedding.element_size()
    return total


def profile_step(model, length: int) -> str:
    from torch.profiler import ProfilerActivity, profile

    state = model.allocate_state(1, length + 4)
    slot, token = torch.zeros(1, dtype=torch.long), torch.tensor([vocab_size(model) // 2])
    model.decode(token, state, slot, torch.tensor([length]))
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model.decode(token, state, slot, torch.tensor([length + 1]))
    return prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12)


def rss_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 2**20, 2)
    return float("nan")


# -- this machine --------------------------------------------------------------------------------------
def measure_bandwidth(layouts: bool) -> dict:
    """Read bandwidth (GB/s, best of 5) of a 1 GiB sum and a 1 GiB float32 matrix-vector product."""
    big = torch.ones(2**28)
    matrix, vector = big.view(2**14, 2**14), big[: 2**14]
    found = {
        "sum_gb_s": round(2**30 / best_of(5, torch.sum, big) / 1e9, 1),
        "fp32_matvec_gb_s": round(2**30 / best_of(5, torch.mv, matrix, vector) / 1e9, 1),
    }
    del matrix, vector
    del big
    if layouts:
        found["layouts"] = layout_table()
    return found


def probe_bandwidth(buffer: torch.Tensor) -> float:
    """GB/s now: one float32 matrix-vector product over ``buffer`` (a square matrix and its first row)."""
    side = math.isqrt(buffer.numel())
    matrix, vector = buffer[: side * side].view(side, side), buffer[:side]
    start = time.perf_counter()
    torch.mv(matrix, vector)
    return round(matrix.numel() * matrix.element_size() / (time.perf_counter() - start) / 1e9, 1)


def layout_table() -> dict:
    """GB/s of weights streamed per matrix-vector product, per shape [in -> out] and layout."""
    import torch.nn.functional as F

    from model.kernels.gemv import native
    from model.packing import Int8Linear, PackedLinear

    table = {}
    shapes = [(2560, 20480), (10240, 2560), (2560, 10240), (5120, 2560), (2560, 5120), (3072, 16384)]
    for fan_in, fan_out in shapes:
        weight = torch.randn(fan_out, fan_in) * 0.02
        x = torch.randn(1, fan_in)
        bf16, count = weight.bfloat16(), weight.numel()
        packed, int8 = PackedLinear(bf16, None), Int8Linear(bf16, None)
        scale = int8.scale.float()
        dynamic_int8 = torch.ops.quantized.linear_dynamic
        with_dynamic = torch.ops.quantized.linear_prepack(
            torch.quantize_per_channel(weight, scale.double(), torch.zeros(fan_out, dtype=torch.long), 0,
                                       torch.qint8), None)  # fmt: skip
        row = {
            "bf16 F.linear": 2 * count / best_of(9, F.linear, x.bfloat16(), bf16),
            "fp32 F.linear": 4 * count / best_of(9, F.linear, x, weight),
            "fp16 fbgemm packed": 2 * count / best_of(9, packed, x),
            "int8 weight-only": count / best_of(9, int8, x),
            "int8 fbgemm dynamic": count / best_of(9, dynamic_int8, x, with_dynamic, True),
        }
        if (kernels := native()) is not None:
            row["bf16 native"] = 2 * count / best_of(9, kernels.bf16, x.bfloat16(), bf16)
            args = (x.bfloat16(), int8.qweight, int8.scale, int8.row_sums)
            row["int8 native"] = count / best_of(9, kernels.int8, *args)
        table[f"{fan_in}->{fan_out}"] = {k: round(v / 1e9, 1) for k, v in row.items()}
    return table


def best_of(repeats: int, fn, *args) -> float:
    """Fewest seconds of ``repeats`` calls of fn(*args), after one warm-up call."""
    fn(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


# -- the driver ----------------------------------------------------------------------------------------
def subprocess_json(args: list[str]) -> Any:
    """Run this script with ``args`` in a fresh process and return the JSON it prints last."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarize(runs: list[dict], memory: dict[str, dict] | None = None) -> dict:
    """Per variant: prompt times (min, median), decode steps (min, median) and their share of the
    roofline: each step against the bandwidth probed just before it, the median of those shares."""
    for run in runs:  # JSON turned the lengths into strings
        for key in ("prefill_s", "decode_ms", "bytes_per_token", "bandwidth_gb_s"):
            run[key] = {int(length): value for length, value in run[key].items()}
    summary: dict = {}
    for variant in VARIANTS:
        mine = [r for r in runs if r["variant"] == variant]
        if not mine:
            continue
        entry: dict = {"prefill_s": {}, "decode": {}}
        if memory and variant in memory:
            entry["peak_rss_gb"] = memory[variant]["peak_rss_gb"]
        for length in mine[0]["prefill_s"]:  # empty for a variant whose prompts were not timed
            times = [r["prefill_s"][length] for r in mine]
            entry["prefill_s"][length] = {"min": min(times), "median": statistics.median(times)}
        for length in mine[0]["decode_ms"]:
            nbytes = mine[0]["bytes_per_token"][length]
            steps, shares, probes = [], [], []
            for run in mine:  # the first step warms up
                for ms, probed in zip(
                    run["decode_ms"][length][1:], run["bandwidth_gb_s"][length][1:], strict=True
                ):
                    steps.append(ms)
                    probes.append(probed)
                    shares.append(nbytes / (probed * 1e9) * 1e3 / ms)
            bandwidth = statistics.median(probes)
            entry["decode"][length] = {
                "min_ms": min(steps),
                "median_ms": round(statistics.median(steps), 1),
                "gb_per_token": round(nbytes / 1e9, 2),
                "bandwidth_gb_s": [min(probes), max(probes)],
                "roofline_ms": round(nbytes / (bandwidth * 1e9) * 1e3, 1),
                "roofline_fraction": round(statistics.median(shares), 2),
            }
        summary[variant] = entry
    if "ours-bf16" in summary and "ours-int8" in summary:  # decoded side by side: step i against step i
        bf16_runs, int8_runs = ([r for r in runs if r["variant"] == v] for v in ("ours-bf16", "ours-int8"))
        for length, decode in summary["ours-int8"]["decode"].items():
            ratios = []
            for bf16, int8 in zip(bf16_runs, int8_runs, strict=True):
                steps = zip(bf16["decode_ms"][length][1:], int8["decode_ms"][length][1:], strict=True)
                ratios += [b / i for b, i in steps]
            decode["speedup_paired"] = round(statistics.median(ratios), 3)
    return summary


def write_results(result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cpu_decode.json").write_text(json.dumps(result, indent=2) + "\n")
    s, lines = result["summary"], []
    lines += [
        "# SambaY on CPU against the dense peer (issue 15)",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Machine: {result['machine']}. **Taken on a shared machine** (other engineers' jobs ran at the "
        "same time), so single numbers are noisy; ours (bf16 and int8, one process) and the peer alternate "
        "round by round, and bf16 and int8 step by step. "
        f"Load average (1 min) at the end: {result['load_average_1min_at_end']:.1f} on "
        f"{os.cpu_count()} cores.",
        "",
        f"Bandwidth at the start: {result['bandwidth']['sum_gb_s']} GB/s (1 GiB sum), "
        f"{result['bandwidth']['fp32_matvec_gb_s']} GB/s (1 GiB fp32 matrix-vector). Each process probes it "
        "again (one 1 GiB fp32 matrix-vector product) just before each decode step: the table gives the "
        "range of those probes, the roofline at their median, and the median of each step's share of the "
        "roofline of its own moment.",
        "",
        "| decode after N tokens | variant | ms/token min | median | GB read/token | GB/s probed | "
        "roofline ms | fraction of roofline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for length in result["decode_lengths"]:
        for variant, entry in s.items():
            d = entry["decode"][length]
            low, high = d["bandwidth_gb_s"]
            lines.append(
                f"| {length} | {variant} | {d['min_ms']} | {d['median_ms']} | {d['gb_per_token']} | "
                f"{low}-{high} | {d['roofline_ms']} | {d['roofline_fraction']} |"
            )
    lines += ["", "| prefill of N tokens | variant | s min | s median |", "|---|---|---|---|"]
    if result.get("peer_prefill_layers"):
        lines[-2:-2] = [
            f"The peer's prefill times are extrapolated: its first {result['peer_prefill_layers']} of 32 "
            "decoder layers were timed and scaled by 32 / N (the layers are identical work).",
            "",
        ]
    for length in result["prefill_lengths"]:
        for variant, entry in s.items():
            if length in entry["prefill_s"]:
                p = entry["prefill_s"][length]
                lines.append(f"| {length} | {variant} | {p['min']} | {p['median']} |")
    lines += ["", "| variant | peak RSS GB |", "|---|---|"]
    lines += [f"| {v} | {entry['peak_rss_gb']} |" for v, entry in s.items() if "peak_rss_gb" in entry]
    lines += ["", "## Targets", ""] + [f"- {t}" for t in result["targets"]]
    if "layouts" in result["bandwidth"]:
        names = list(next(iter(result["bandwidth"]["layouts"].values())))
        lines += ["", "## GB/s of weights per matrix-vector product, by layout", ""]
        lines += ["| in->out | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for shape, row in result["bandwidth"]["layouts"].items():
            lines.append(f"| {shape} | " + " | ".join(str(row[n]) for n in names) + " |")
    for when, table in result["profiles"].items():
        title = f"## One bf16 decode step {when}, top operators (self CPU time)"
        lines += ["", title, "", "```", table, "```"]
    (RESULTS / "cpu_decode.md").write_text("\n".join(lines) + "\n")


def targets(summary: dict, decode_lengths: list[int]) -> list[str]:
    found = []
    ours, int8, peer = (summary.get(v) for v in VARIANTS)

    def med(entry: dict, length: int) -> float:
        return entry["decode"][length]["median_ms"]

    if ours and peer:
        for length in decode_lengths:
            ok = med(ours, length) <= med(peer, length)
            found.append(f"bf16 decode <= peer after {length}: {med(ours, length)} vs {med(peer, length)} ms "
                         f"-> {'met' if ok else 'NOT met'}")  # fmt: skip
        if 1024 in ours["prefill_s"] and 1024 in peer["prefill_s"]:
            ratio = peer["prefill_s"][1024]["median"] / ours["prefill_s"][1024]["median"]
            found.append(f"prefill of 1,024 >= 1.5x faster than the peer: {ratio:.2f}x -> "
                         f"{'met' if ratio >= 1.5 else 'NOT met'}")  # fmt: skip
    if ours:
        for length in decode_lengths:
            fraction = ours["decode"][length]["roofline_fraction"]
            found.append(f"bf16 decode >= 80% of roofline after {length}: {fraction:.0%} -> "
                         f"{'met' if fraction >= 0.8 else 'NOT met'}")  # fmt: skip
    if ours and int8:
        for length in decode_lengths:
            of_medians = med(ours, length) / med(int8, length)
            # the median over adjacent steps of bf16 / int8: the pairing cancels a slow moment both shared
            speedup = int8["decode"][length].get("speedup_paired", of_medians)
            found.append(f"int8 decode >= 1.8x faster than bf16 after {length}: {speedup:.2f}x, the median "
                         f"of step-by-step ratios (ratio of the medians: {of_medians:.2f}x) -> "
                         f"{'met' if speedup >= 1.8 else 'NOT met'}")  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--decode-lengths", type=int, nargs="+", default=[128, 1024, 4096])
    parser.add_argument("--prefill-lengths", type=int, nargs="+", default=[128, 1024])
    parser.add_argument("--new-tokens", type=int, default=16)
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument(
        "--prefill-variants", nargs="+", choices=VARIANTS, default=["ours-bf16", "peer-bf16"],
        help="whose prompts are timed (int8 prompts run the dequantized float32 path; no target)",
    )  # fmt: skip
    parser.add_argument(
        "--threads", type=int, default=os.cpu_count() or 1,
        help="torch threads per model; 1 on a machine others load (each op of a 2-thread step waits "
        "for both threads to be scheduled)",
    )  # fmt: skip
    parser.add_argument(
        "--peer-prefill-layers", type=int, default=None,
        help="time the peer's prompts on its first N layers and scale to all 32 (bf16 products are slow "
        "on AVX2: a full 1,024-token peer prefill takes about 15 minutes there)",
    )  # fmt: skip
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "flashtutor-bench")
    parser.add_argument("--layouts", action="store_true", help="add the per-shape layout table")
    parser.add_argument("--profile", action="store_true", help="add one bf16 decode step's profile")
    parser.add_argument(
        "--profile-before", type=Path, help="also profile the model code in this folder (an older checkout)"
    )
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    workers = ["decode", "memory", "bandwidth", "build-ours", "build-peer", "profile"]
    parser.add_argument("--worker", choices=workers)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    torch.set_num_threads(args.threads)
    ours_folder, peer_folder = args.cache / "sambay-3.8b-random", args.cache / "phi4-mini-peer-random"

    if args.worker == "build-ours":
        return build_sambay(ours_folder)
    if args.worker == "build-peer":
        return build_peer(peer_folder)
    if args.worker == "bandwidth":
        return print(json.dumps(measure_bandwidth(args.layouts)))
    if args.worker == "profile":
        model = load_ours("ours-bf16", ours_folder)
        return print(json.dumps({"table": profile_step(model, args.decode_lengths[0])}))
    folders = {v: peer_folder if v.startswith("peer") else ours_folder for v in VARIANTS}
    if args.worker == "decode":
        return print(json.dumps(run_models(args.variants, folders, args)))
    if args.worker == "memory":
        return print(json.dumps(peak_memory(args.variants[0], folders[args.variants[0]], args)))

    passed = [
        "--decode-lengths", *map(str, args.decode_lengths),
        "--prefill-lengths", *map(str, args.prefill_lengths),
        "--new-tokens", str(args.new_tokens), "--cache", str(args.cache), "--threads", str(args.threads),
        "--prefill-variants", *args.prefill_variants,
        *(["--peer-prefill-layers", str(args.peer_prefill_layers)] if args.peer_prefill_layers else []),
    ]  # fmt: skip
    if not (ours_folder / "config.json").is_file():
        print("building the SambaY checkpoint (once)...", flush=True)
        subprocess.run([sys.executable, __file__, "--worker", "build-ours", *passed], check=True)
    if "peer-bf16" in args.variants and not (peer_folder / "config.json").is_file():
        print("building the peer checkpoint (once)...", flush=True)
        subprocess.run([sys.executable, __file__, "--worker", "build-peer", *passed], check=True)
    bandwidth = subprocess_json(["--worker", "bandwidth", *passed, *(["--layouts"] if args.layouts else [])])
    print("bandwidth", bandwidth, flush=True)
    ours = [v for v in args.variants if v.startswith("ours")]  # decoding side by side, in one process
    groups = [g for g in (ours, ["peer-bf16"]) if g and set(g) <= set(args.variants)]
    runs = []
    for round_ in range(args.rounds):
        for group in groups:
            print(f"round {round_ + 1}: {' and '.join(group)}...", flush=True)
            runs += subprocess_json(["--worker", "decode", "--variants", *group, *passed])
            print(json.dumps(runs[-len(group) :]), flush=True)
    memory = {}
    for variant in args.variants:
        print(f"peak memory: {variant}...", flush=True)
        memory[variant] = subprocess_json(["--worker", "memory", "--variants", variant, *passed])
    profiles = {}
    if args.profile:
        profiles["after"] = subprocess_json(["--worker", "profile", *passed])["table"]
    if args.profile_before:
        code = ["--code", str(args.profile_before.resolve())]
        profiles["before"] = subprocess_json(["--worker", "profile", *passed, *code])["table"]
    summary = summarize(runs, memory)
    result = {
        "command": "python bench/cpu_decode.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.backends.cpu.get_cpu_capability()}, {args.threads} torch thread(s) per model",
        "bandwidth": bandwidth,
        "decode_lengths": args.decode_lengths,
        "peer_prefill_layers": args.peer_prefill_layers,
        "load_average_1min_at_end": os.getloadavg()[0],
        "prefill_lengths": args.prefill_lengths,
        "summary": summary,
        "targets": targets(summary, args.decode_lengths),
        "profiles": profiles,
        "runs": runs,
        "memory": memory,
    }
    write_results(result)
    print("\n".join(result["targets"]))


if __name__ == "__main__":
    main()
