"""Hide secret config values wherever a config is shown or stored.

The rules, applied to every key at every depth (dicts inside lists too):

1. A key looks secret when one of its words (split on ``_``, ``-``, ``.``, spaces and
   camelCase) is in :data:`SECRET_WORDS`, compared case-insensitively: ``api_key``,
   ``clientSecret``, ``DB_PASSWORD`` and ``Authorization`` are secret, ``partition_keys``
   and ``monkey`` are not.
2. A key also looks secret when it merely *contains* one of the unambiguous words in
   :data:`SECRET_FRAGMENTS` (``dbpassword``, ``MYTOKEN``, ``client_secretvalue``).
3. The whole value under a secret key becomes ``***``, even a dict or a list.
4. In any string value, the password of a URL (``scheme://user:password@host``) becomes
   ``***``, so a JDBC or S3 URL with credentials is safe in a non-secret key.
5. :func:`redact_config` also hides each secret value wherever another field of the
   same config repeats it.

Redaction works on copies: the job itself always gets the real values. Text that is not
a config (error messages, log lines) is cleaned with :func:`redact_text`, using the
values :func:`secret_values` collected from the config.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "***"
SECRET_WORDS = frozenset(
    {
        "apikey",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "key",
        "passphrase",
        "passwd",
        "password",
        "pwd",
        "secret",
        "token",
    }
)
"""Words that make a key secret when they appear as a whole word of it."""
SECRET_FRAGMENTS = ("password", "passwd", "passphrase", "secret", "token", "credential", "apikey")
"""Words that make a key secret wherever they appear in it."""

MIN_SECRET_LENGTH = 3
"""Secrets shorter than this are not searched for in free text."""

_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# Anchored right after "scheme://" by a fixed-width look-behind, so the scan is linear:
# a leading scheme pattern backtracks quadratically over a long run of letters (1 MiB of
# "x" took minutes).
_URL_PASSWORD = re.compile(r"(?<=[A-Za-z0-9+.-]://)(?P<head>[^/\s:@]*:)(?P<pw>[^/\s@]+)@")


def is_secret_key(key: str) -> bool:
    """Return True if a config key names a secret (see the module's rules 1 and 2)."""
    lowered = key.lower()
    if any(fragment in lowered for fragment in SECRET_FRAGMENTS):
        return True
    return any(word.lower() in SECRET_WORDS for word in _WORD.findall(key))


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Return a copy of ``value`` with every secret replaced by ``***``.

    Secret keys lose their whole value; URL passwords inside strings are hidden too,
    and so is each of ``secrets`` wherever it appears inside a string.
    """
    known = frozenset(secrets)
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_key(k) else redact(v, known))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, known) for v in value]
    if isinstance(value, str):
        return redact_text(value, known)
    return value


def redact_config(config: Any) -> Any:
    """Redact a config, also hiding its secret values where other fields repeat them.

    A secret copied into an ordinary field (``"url": "...?token=<the token>"``,
    ``"note": "uses <the password>"``) is hidden there too.
    """
    return redact(config, secret_values(config))


def scrub(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Return a copy of ``value`` with ``secrets`` and URL passwords hidden in its strings.

    Keys are left alone, so metrics such as ``token_count`` keep their values; use
    this on what a job reports, and :func:`redact` on configs.
    """
    known = frozenset(secrets)
    if isinstance(value, Mapping):
        return {k: scrub(v, known) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, known) for v in value]
    if isinstance(value, str):
        return redact_text(value, known)
    return value


def redact_url_passwords(text: str) -> str:
    """Replace the password of every ``scheme://user:password@host`` in ``text``."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{REDACTED}@", text)


def secret_values(value: Any) -> set[str]:
    """Collect every secret string in a config, to hide it in free text.

    That is every string (at any depth) held under a secret-looking key, plus every
    password found in a URL anywhere in the config. Numbers and booleans are not
    collected: hiding every ``true`` or ``3600`` in a message would only garble it.
    """
    found: set[str] = set()
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(k, str) and is_secret_key(k):
                found.update(_leaves(v))
            else:
                found |= secret_values(v)
    elif isinstance(value, list | tuple):
        for v in value:
            found |= secret_values(v)
    elif isinstance(value, str):
        found.update(m.group("pw") for m in _URL_PASSWORD.finditer(value))
    return found


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret in ``text`` with ``***``, longest first.

    URL passwords are hidden as well, even when they are not in ``secrets``. Secrets
    shorter than :data:`MIN_SECRET_LENGTH` are left alone: replacing every ``1`` or
    ``ab`` in a message would destroy it and hide nothing worth hiding.
    """
    usable = (s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
    for secret in sorted(usable, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return redact_url_passwords(text)


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, str):
        yield value
