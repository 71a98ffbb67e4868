"""The transformers face of the model: Auto* classes, generate() on our state, Hub ids from the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

transformers = pytest.importorskip("transformers")

from model import load_model  # noqa: E402
from model.hf import Phi4FlashConfig, Phi4FlashForCausalLM  # noqa: E402
from model.hub import is_repo_id, resolve_checkpoint  # noqa: E402
from model.loader import CheckpointError  # noqa: E402

PROMPTS = [[5, 17, 42, 9, 300, 12, 7], [88, 3]]


@pytest.fixture(scope="module")
def hf_model(tiny_model_path: Path) -> Phi4FlashForCausalLM:
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_model_path)
    assert isinstance(model, Phi4FlashForCausalLM)
    return model


def test_auto_config_reads_the_official_config_without_remote_code(tiny_model_path: Path) -> None:
    config = transformers.AutoConfig.from_pretrained(tiny_model_path)
    assert isinstance(config, Phi4FlashConfig)
    assert config.sambay.num_hidden_layers == 8
    assert config.sambay.sliding_window == 8


def test_weights_and_logits_equal_the_package_loader(
    hf_model: Phi4FlashForCausalLM, tiny_model_path: Path
) -> None:
    network = load_model(tiny_model_path)
    ours = dict(network.named_parameters())
    for name, parameter in hf_model.model.named_parameters():
        assert torch.equal(parameter, ours[name]), name
    ids = torch.tensor([PROMPTS[0]])
    assert torch.equal(hf_model(ids).logits, network(ids).float())


def test_reference_logits_of_the_shared_fixture(
    hf_model: Phi4FlashForCausalLM, tiny_model_path: Path
) -> None:
    from safetensors.torch import load_file

    expected = load_file(tiny_model_path / "expected.safetensors")
    ids = expected["input_ids"].long()
    logits = hf_model(ids).logits
    assert (logits - expected["logits"].float()).abs().max() < 1e-4


def test_greedy_generate_equals_generate_stream(
    hf_model: Phi4FlashForCausalLM, tiny_model_path: Path
) -> None:
    network = load_model(tiny_model_path)
    for prompt in PROMPTS:
        out = hf_model.generate(torch.tensor([prompt]), max_new_tokens=12, do_sample=False, eos_token_id=None)
        ours = list(network.generate_stream(prompt, max_new_tokens=12, temperature=0, stop_token_ids=()))
        assert out[0, len(prompt):].tolist() == ours


def test_left_padded_batch_generates_each_row_as_alone(hf_model: Phi4FlashForCausalLM) -> None:
    width = max(map(len, PROMPTS))
    ids = torch.tensor([[0] * (width - len(p)) + p for p in PROMPTS])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in PROMPTS])
    batched = hf_model.generate(
        ids, attention_mask=mask, max_new_tokens=10, do_sample=False, eos_token_id=None
    )
    for row, prompt in enumerate(PROMPTS):
        alone = hf_model.generate(
            torch.tensor([prompt]), max_new_tokens=10, do_sample=False, eos_token_id=None
        )
        assert batched[row, width:].tolist() == alone[0, len(prompt):].tolist()


def test_beam_search_is_refused_clearly(hf_model: Phi4FlashForCausalLM) -> None:
    with pytest.raises(ValueError, match="beam search"):
        hf_model.generate(torch.tensor([PROMPTS[0]]), max_new_tokens=2, num_beams=2, do_sample=False)


def test_bfloat16_keeps_the_float32_parameters(tiny_model_path: Path) -> None:
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.bfloat16)
    dtypes = {name.rsplit(".", 1)[-1]: p.dtype for name, p in model.named_parameters()}
    assert dtypes["A_log"] == torch.float32
    assert model.model.embed_tokens.weight.dtype == torch.bfloat16


def test_auto_tokenizer_reads_a_checkpoint_folder(readable_tiny_model) -> None:
    folder = readable_tiny_model()
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    ids = tokenizer("2x + 3 = 7")["input_ids"]
    assert tokenizer.decode(ids) == "2x + 3 = 7"
    assert tokenizer.convert_tokens_to_ids("<|assistant|>") == 257


def test_generate_reads_generation_config_stops(readable_tiny_model) -> None:
    folder = readable_tiny_model()
    (folder / "generation_config.json").write_text('{"eos_token_id": [7, 3], "pad_token_id": 0}')
    model = transformers.AutoModelForCausalLM.from_pretrained(folder)
    assert model.generation_config.eos_token_id == [7, 3]


def _lay_out_hub_cache(cache: Path, repo_id: str, source: Path) -> Path:
    """The layout huggingface_hub writes: blobs, a snapshot folder per commit and refs/main."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    (repo / "blobs").mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for file in sorted(p.name for p in source.iterdir()):
        blob = repo / "blobs" / f"blob-{file}"
        shutil.copyfile(source / file, blob)
        (snapshot / file).symlink_to(Path("../..") / "blobs" / blob.name)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return snapshot


def test_a_hub_id_resolves_from_the_local_cache_offline(tmp_path: Path, tiny_model_path: Path) -> None:
    snapshot = _lay_out_hub_cache(tmp_path / "hub", "microsoft/Phi-4-mini-flash-reasoning", tiny_model_path)
    folder = resolve_checkpoint("microsoft/Phi-4-mini-flash-reasoning", cache_dir=tmp_path / "hub")
    assert folder == snapshot
    model = Phi4FlashForCausalLM.from_pretrained(
        "microsoft/Phi-4-mini-flash-reasoning", cache_dir=tmp_path / "hub"
    )
    assert model.config.sambay.hidden_size == 64


def test_the_generate_command_takes_a_hub_id(
    tmp_path: Path, readable_tiny_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner
    from huggingface_hub import constants

    from app.cli import main

    _lay_out_hub_cache(tmp_path / "hub", "school/tiny-tutor", readable_tiny_model())
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    args = ["generate", "--model", "school/tiny-tutor", "--max-new-tokens", "4", "--temperature", "0", "hi"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    missing = CliRunner().invoke(main, ["generate", "--model", "school/absent", "hi"])
    assert missing.exit_code == 1
    assert "flashtutor model pull school/absent" in missing.output


def test_pull_refuses_what_is_not_a_repo_id() -> None:
    from click.testing import CliRunner

    from app.cli import main

    result = CliRunner().invoke(main, ["model", "pull", "../../etc"])
    assert result.exit_code == 1
    assert "is not a Hub repository id" in result.output


def test_pulled_files_are_checked_against_the_index(tmp_path: Path, tiny_model_path: Path) -> None:
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file

    from model.hub import check_files

    with safe_open(tiny_model_path / "model.safetensors", framework="pt") as reader:
        tensors = {name: reader.get_tensor(name) for name in reader.keys()}  # noqa: SIM118 (a reader, not a dict)
    names = sorted(tensors)
    half = len(names) // 2
    shutil.copyfile(tiny_model_path / "config.json", tmp_path / "config.json")
    save_file({n: tensors[n] for n in names[:half]}, tmp_path / "model-00001-of-00002.safetensors")
    save_file({n: tensors[n] for n in names[half:]}, tmp_path / "model-00002-of-00002.safetensors")
    weight_map = {n: f"model-0000{1 + (i >= half)}-of-00002.safetensors" for i, n in enumerate(names)}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    check_files(tmp_path)  # complete: no error
    second = tmp_path / "model-00002-of-00002.safetensors"
    second.write_bytes(second.read_bytes()[:1000])  # an interrupted download
    with pytest.raises(CheckpointError, match=r"00002.*pull again"):
        check_files(tmp_path)
    second.unlink()
    with pytest.raises(CheckpointError, match="missing"):
        check_files(tmp_path)


def test_a_hub_id_missing_from_the_cache_says_how_to_pull(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="flashtutor model pull someone/missing"):
        resolve_checkpoint("someone/missing", cache_dir=tmp_path / "empty")


def test_local_paths_are_never_taken_for_hub_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "owner" / "name").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert not is_repo_id("owner/name")  # it exists here, so it is a folder
    assert resolve_checkpoint("owner/name") == Path("owner/name")
    assert is_repo_id("microsoft/Phi-4-mini-flash-reasoning")
    assert not is_repo_id("/abs/path") and not is_repo_id("a/b/c")
