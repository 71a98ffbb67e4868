"""Does continuous batching pay on CPU? Time 1 request against 16 concurrent ones on the tiny model.

    .venv/bin/python bench/engine_cpu.py [--model PATH] [--tokens 64] [--concurrent 16]

Writes bench/results/engine_cpu.json and engine_cpu.md. "Batching pays" means the 16 requests
finish in well under 16x the time of one.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.engine.engine import Engine, EngineConfig  # noqa: E402
from model.engine.sequence import SamplingParams  # noqa: E402
from model.loader import load_model  # noqa: E402

DEFAULT_MODEL = ROOT.parent / "shared" / "fixtures" / "sambay-tiny"
RESULTS = ROOT / "bench" / "results"


def timed_run(engine: Engine, prompts: list[list[int]], max_tokens: int) -> float:
    """Seconds until every prompt has its ``max_tokens`` greedy tokens, submitted all at once."""
    params = SamplingParams(max_tokens=max_tokens)
    start = time.perf_counter()
    completions = engine.generate(prompts, params)
    elapsed = time.perf_counter() - start
    if any(len(c.token_ids) != max_tokens for c in completions):
        raise RuntimeError("a request stopped early; the comparison would be unfair")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--tokens", type=int, default=64, help="new tokens per request")
    parser.add_argument("--prompt-len", type=int, default=32)
    parser.add_argument("--concurrent", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3, help="best of N runs")
    args = parser.parse_args()

    torch.set_num_threads(1)  # a fair, reproducible CPU measurement on a shared machine
    model = load_model(args.model, device="cpu", dtype=torch.float32)
    config = EngineConfig(max_seq_len=args.prompt_len + args.tokens, num_slots=args.concurrent)
    engine = Engine(model, config)
    prompts = [[(31 * i + 7 * r) % 500 for i in range(args.prompt_len)] for r in range(args.concurrent)]

    timed_run(engine, prompts[:2], 4)  # warm-up
    one = min(timed_run(engine, prompts[:1], args.tokens) for _ in range(args.repeats))
    many = min(timed_run(engine, prompts, args.tokens) for _ in range(args.repeats))
    result = {
        "command": "python " + " ".join(sys.argv),
        "model": args.model.name,
        "concurrent": args.concurrent,
        "prompt_len": args.prompt_len,
        "new_tokens": args.tokens,
        "torch_threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "one_request_s": round(one, 4),
        "concurrent_requests_s": round(many, 4),
        "slowdown_vs_one": round(many / one, 2),
        "speedup_vs_sequential": round(args.concurrent * one / many, 2),
        "tokens_per_s_one": round(args.tokens / one, 1),
        "tokens_per_s_concurrent": round(args.concurrent * args.tokens / many, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "engine_cpu.json").write_text(json.dumps(result, indent=2) + "\n")
    rows = "\n".join(f"| {k} | {v} |" for k, v in result.items() if k != "command")
    (RESULTS / "engine_cpu.md").write_text(
        f"# Engine on CPU: 1 request vs {args.concurrent} concurrent\n\n"
        f"Command: `{result['command']}`\n\n| metric | value |\n|---|---|\n{rows}\n"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
