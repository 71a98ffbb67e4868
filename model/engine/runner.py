"""The model runner: turns a scheduled batch into one model call on state slots and samples a token per row.

It sees sequences, never queues. The model updates the state in place on the slot indices, so
the tensors it touches never move (what CUDA-graph capture needs later).
"""

from __future__ import annotations

import random
from collections.abc import Sequence as Seq

import torch

from model.engine.cache import StatePool
from model.engine.scheduler import Batch
from model.engine.sequence import Sequence
from model.sampling import sample


class ModelRunner:
    def __init__(self, model, pool: StatePool, banned_ids: Seq[int] = ()) -> None:
        self.model = model
        self.pool = pool
        self.device = next(model.parameters()).device
        # Ids the tokenizer cannot decode (the vocabulary has padding rows): never sampled.
        self.banned = torch.tensor(list(banned_ids), dtype=torch.long, device=self.device)
        self._generators: dict[int, torch.Generator] = {}

    @torch.inference_mode()
    def run(self, batch: Batch) -> list[int]:
        """Run one prefill or decode step for ``batch`` and return the sampled token per sequence."""
        logits = self._prefill(batch.seqs) if batch.kind == "prefill" else self._decode(batch.seqs)
        return self._sample(logits, batch.seqs)

    @torch.inference_mode()
    def run_alone(self, seq: Sequence) -> int:
        """Prefill every token of ``seq`` alone and sample its next token.

        This rebuilds the sequence's state from its tokens (as resuming after preemption does), so it
        recovers exactly from a failed batch, whatever that batch left half-written in its slot.
        """
        return self._sample(self._prefill([seq]), [seq])[0]

    def forget(self, seq: Sequence) -> None:
        """Drop a finished sequence's random generator."""
        self._generators.pop(seq.seq_id, None)

    def _prefill(self, seqs: list[Sequence]) -> torch.Tensor:
        slots = [seq.slot for seq in seqs]
        lengths = [len(seq) for seq in seqs]
        input_ids = torch.zeros(len(seqs), max(lengths), dtype=torch.long)  # [B, L], right-padded
        for row, seq in enumerate(seqs):
            input_ids[row, : len(seq)] = torch.tensor(seq.token_ids)
        return self.model.prefill(
            input_ids.to(self.device),
            self.pool.state,
            torch.tensor(slots, device=self.device),
            torch.tensor(lengths, device=self.device),
        )  # [B, V]

    def _decode(self, seqs: list[Sequence]) -> torch.Tensor:
        tokens = torch.tensor([seq.token_ids[-1] for seq in seqs])  # [B]
        slots = torch.tensor([seq.slot for seq in seqs])  # [B]
        positions = torch.tensor([len(seq) - 1 for seq in seqs])  # [B]
        return self.model.decode(
            tokens.to(self.device), self.pool.state, slots.to(self.device), positions.to(self.device)
        )  # [B, V]

    def _sample(self, logits: torch.Tensor, seqs: list[Sequence]) -> list[int]:
        params = [seq.params for seq in seqs]
        return sample(
            logits,
            temperature=[p.temperature for p in params],
            top_p=[p.top_p for p in params],
            top_k=[p.top_k for p in params],
            generators=[self._generator(seq) for seq in seqs],
            banned=self.banned,
        ).tolist()

    def _generator(self, seq: Sequence) -> torch.Generator:
        """One generator per request, so its samples do not depend on what else is in the batch."""
        if seq.seq_id not in self._generators:
            seed = seq.params.seed if seq.params.seed is not None else random.getrandbits(63)
            self._generators[seq.seq_id] = torch.Generator(self.device).manual_seed(seed)
        return self._generators[seq.seq_id]

