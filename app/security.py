"""Passwords and login tokens.

Passwords are hashed with Argon2id (argon2-cffi), the current OWASP recommendation. Login tokens are
random; only their SHA-256 is stored, which is enough for a 256-bit random value and lets a lookup
use a plain index.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache, lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte "password" is a cheap denial of service

# OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane): about 20 ms a login on one core, where the
# library default (64 MiB, 3 passes) costs ~150 ms and made 200 simultaneous logins queue for 40 s.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class WeakPasswordError(ValueError):
    """The password does not meet the minimum the app requires."""


def check_password_strength(password: str) -> None:
    """Raise ``WeakPasswordError`` with the reason when ``password`` cannot be used."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"a password can have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip() == "":
        raise WeakPasswordError("a password cannot be only spaces")


def hash_password(password: str) -> str:
    """The Argon2id hash to store for ``password`` (checked for strength first)."""
    check_password_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash; a malformed hash never matches."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_password_hash() -> str:
    """A hash no password matches, verified for unknown usernames so they cost the same time as known ones."""
    return _hasher.hash(secrets.token_urlsafe(32))


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's; rehash at the next login."""
    return _hasher.check_needs_rehash(password_hash)


# Words a child may be handed on a login card: BIP-39's English list is common, short and unambiguous
# (the first four letters never repeat); these few are not words to give a ten-year-old.
_UNSUITABLE = frozenset(
    {
        "abuse", "addict", "alcohol", "angry", "attack", "betray", "blood", "bomb", "bullet", "cancel",
        "crazy", "crime", "cruel", "damage", "disease", "divorce", "enemy", "evil", "fat", "gun", "hurt",
        "insane", "knife", "panic", "prison", "rifle", "sick", "ugly", "weapon",
    }
)  # fmt: skip
PASSWORD_WORDS = 4


@lru_cache(maxsize=1)
def password_words() -> tuple[str, ...]:
    """The word list for generated passwords: 1,500+ words of at most six letters."""
    from mnemonic import Mnemonic

    return tuple(w for w in Mnemonic("english").wordlist if len(w) <= 6 and w not in _UNSUITABLE)


def generate_password() -> str:
    """A password a ten-year-old can type, like ``lemon-tiger-frost-oven-47``.

    Four words from 1,500+ and two digits are about 49 bits: far beyond online guessing, which the
    login throttle limits to a few tries a minute, while each part is a word to copy, not a symbol soup.
    """
    words = password_words()
    number = secrets.randbelow(90) + 10
    return "-".join([*(secrets.choice(words) for _ in range(PASSWORD_WORDS)), str(number)])


def new_token() -> str:
    """A fresh login token for a cookie (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database stores for a token."""
    return hashlib.sha256(token.encode()).hexdigest()
