"""int8's logit error against bf16 on the random-weight 3.8B checkpoint of bench/cpu_decode.py (issue 15).

    .venv/bin/python bench/int8_error.py [--prompts 4] [--length 64] [--cache ~/.cache/flashtutor-bench]

Loads the checkpoint twice, as bf16 and as weight-only int8 (``load_model(..., quantize="int8")``),
runs the same random prompts through both (a full forward pass: logits at every position) and reports
int8's error against bf16: mean and largest absolute difference, the spread of the bf16 logits, and
how often the greedy token agrees. Builds the checkpoint (once, cached) if it is missing. Writes
bench/results/int8_error.json and .md. The same figures on the shared tiny fixture are checked by
tests/model/test_packing.py::test_int8_logit_error_against_bf16_on_the_fixture.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def logit_error(folder: Path, prompts: int, length: int, seed: int = 3) -> dict:
    """int8 against bf16 on ``prompts`` random prompts of ``length`` tokens (ids below 199,000, the
    tokenizer's ordinary tokens, or below the vocabulary's size)."""
    from model.loader import load_model

    logits = {}
    for name, options in (("bf16", {}), ("int8", {"quantize": "int8"})):
        model = load_model(folder, "cpu", torch.bfloat16, **options)
        top = min(199_000, model.config.vocab_size)
        ids = torch.randint(0, top, (prompts, length), generator=torch.Generator().manual_seed(seed))
        with torch.inference_mode():
            logits[name] = model(ids).float()  # [prompts, length, vocabulary]
        del model
    error = (logits["int8"] - logits["bf16"]).abs()
    same = logits["int8"].argmax(-1) == logits["bf16"].argmax(-1)
    return {
        "prompts": prompts,
        "length": length,
        "seed": seed,
        "mean_abs_error": round(float(error.mean()), 4),
        "max_abs_error": round(float(error.max()), 4),
        "bf16_logit_std": round(float(logits["bf16"].std()), 4),
        "same_greedy_token": round(float(same.float().mean()), 4),
        "positions": same.numel(),
    }


def write_results(result: dict, command: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "int8_error.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# int8 logit error against bf16 on the random 3.8B checkpoint (issue 15)",
        "",
        f"Command: `{command}`",
        "",
        f"{result['prompts']} random prompts of {result['length']} tokens (seed {result['seed']}), logits at "
        f"every position ({result['positions']} positions) from a full forward pass of the bf16 model and "
        'of the same checkpoint loaded with `quantize="int8"` (weight-only, per-channel scales).',
        "",
        "| mean abs error | max abs error | std of the bf16 logits | same greedy token |",
        "|---|---|---|---|",
        f"| {result['mean_abs_error']} | {result['max_abs_error']} | {result['bf16_logit_std']} | "
        f"{result['same_greedy_token']:.1%} |",
        "",
        "On the shared tiny fixture, `tests/model/test_packing.py::test_int8_logit_error_against_bf16_on_the_"
        "fixture` holds the same comparison to its bounds.",
    ]
    (RESULTS / "int8_error.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=4)
    parser.add_argument("--length", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: PyTorch's)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "flashtutor-bench")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.threads:
        torch.set_num_threads(args.threads)
    folder = args.cache / "sambay-3.8b-random"
    if not (folder / "config.json").is_file():
        from bench.cpu_decode import build_sambay

        print("building the SambaY checkpoint (once)...", flush=True)
        build_sambay(folder)
    result = logit_error(folder, args.prompts, args.length)
    write_results(result, "python bench/int8_error.py " + " ".join(sys.argv[1:]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
