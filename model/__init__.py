"""The SambaY (Phi-4-mini-flash-reasoning) network, its loader, tokenizer and serving engine."""
