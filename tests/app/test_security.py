"""Password hashing and login tokens."""

from __future__ import annotations

import pytest

from app.security import (
    WeakPasswordError,
    generate_password,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)


def test_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct horsE")
    assert not needs_rehash(stored)


def test_same_password_hashes_differently() -> None:
    assert hash_password("correct horse") != hash_password("correct horse")


@pytest.mark.parametrize(("password", "reason"), [("short", "at least 8"), (" " * 9, "only spaces"),
                                                  ("x" * 2000, "at most")])
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    with pytest.raises(WeakPasswordError, match=reason):
        hash_password(password)


@pytest.mark.parametrize("stored", ["", "plaintext", "$argon2id$v=19$broken"])
def test_malformed_hash_never_matches(stored: str) -> None:
    assert not verify_password(stored, "anything at all")


def test_generated_secrets_are_unique_and_usable() -> None:
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    hash_password(passwords.pop())
    token = new_token()
    assert len(token) >= 40
    assert token_digest(token) == token_digest(token) != token_digest(new_token())
    assert len(token_digest(token)) == 64


def test_generated_passwords_are_words_a_child_can_type_and_still_strong() -> None:
    import math
    import re

    from app.security import PASSWORD_WORDS, password_words

    words = password_words()
    assert len(words) >= 1500 and len(set(words)) == len(words)
    assert all(re.fullmatch(r"[a-z]{3,6}", w) for w in words)
    assert not {"gun", "knife", "blood"} & set(words)
    bits = PASSWORD_WORDS * math.log2(len(words)) + math.log2(90)
    assert bits > 45
    for _ in range(20):
        password = generate_password()
        *parts, number = password.split("-")
        assert len(parts) == PASSWORD_WORDS and all(p in words for p in parts)
        assert 10 <= int(number) <= 99
