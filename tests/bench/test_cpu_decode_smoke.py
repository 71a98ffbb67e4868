"""A small run of the CPU decode benchmark's pieces on tiny models, so the 3.8B run cannot rot."""

import argparse
import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("transformers")
SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "cpu_decode.py"
TINY_SAMBAY = {
    "architectures": ["Phi4FlashForCausalLM"],
    "model_type": "phi4flash",
    "vocab_size": 300,
    "hidden_size": 64,
    "intermediate_size": 96,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "sliding_window": 8,
}
TINY_PEER = {
    "vocab_size": 300,
    "hidden_size": 48,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "tie_word_embeddings": True,
    "pad_token_id": 0,
}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("cpu_decode", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_rounds_give_every_number_the_report_needs(bench, tmp_path: Path) -> None:
    bench.build_sambay(tmp_path / "ours", TINY_SAMBAY)
    bench.build_peer(tmp_path / "peer", TINY_PEER)
    args = argparse.Namespace(
        prefill_lengths=[12], decode_lengths=[5, 20], new_tokens=3, peer_prefill_layers=1
    )
    folders = {v: tmp_path / ("peer" if v.startswith("peer") else "ours") for v in bench.VARIANTS}
    runs = bench.run_models(["ours-bf16", "ours-int8"], folders, args)
    runs += bench.run_models(["peer-bf16"], folders, args)
    ours, int8, peer = runs
    assert [r["variant"] for r in runs] == list(bench.VARIANTS)
    assert peer["prefill_extrapolated_from_layers"] == 1 and "prefill_extrapolated_from_layers" not in ours
    assert all(len(r["decode_ms"][20]) == 3 and r["prefill_s"][12] > 0 for r in runs)
    # bf16 and int8 decoded side by side, each step after a bandwidth probe of its own
    assert all(len(r["bandwidth_gb_s"][20]) == 3 and min(r["bandwidth_gb_s"][5]) > 0 for r in runs)
    # The int8 model reads about half the bytes; the peer's cache grows with the context.
    assert 0.4 < int8["bytes_per_token"][5] / ours["bytes_per_token"][5] < 0.7
    assert peer["bytes_per_token"][20] > peer["bytes_per_token"][5]
    memory = {v: bench.peak_memory(v, folders[v], args) for v in bench.VARIANTS}
    assert all(m["peak_rss_gb"] >= m["rss_after_load_gb"] > 0 for m in memory.values())
    for run in runs:  # tiny models read a few KB a step: at the probed bandwidth their share rounds to 0
        run["bandwidth_gb_s"] = {n: [0.001] * len(probes) for n, probes in run["bandwidth_gb_s"].items()}
    summary = bench.summarize(runs, memory)
    assert set(summary) == set(bench.VARIANTS)
    assert summary["ours-bf16"]["decode"][20]["roofline_fraction"] > 0
    assert summary["ours-int8"]["peak_rss_gb"] == memory["ours-int8"]["peak_rss_gb"]
    assert summary["ours-int8"]["decode"][5]["speedup_paired"] > 0
    found = bench.targets(summary, [5, 20])
    assert any("int8 decode" in line for line in found) and any("prefill" not in line for line in found)
    assert "Self CPU" in bench.profile_step(bench.load_ours("ours-bf16", tmp_path / "ours"), 5)


def test_the_int8_error_report_compares_int8_with_bf16(bench, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("int8_error", SCRIPT.with_name("int8_error.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bench.build_sambay(tmp_path / "ours", TINY_SAMBAY)
    found = module.logit_error(tmp_path / "ours", prompts=2, length=9)
    assert found["positions"] == 18 and 0.5 <= found["same_greedy_token"] <= 1
    # int8 moves the logits, by far less than their spread
    assert 0 < found["mean_abs_error"] <= found["max_abs_error"] < found["bf16_logit_std"] * 3
    assert found["mean_abs_error"] < found["bf16_logit_std"] / 4
