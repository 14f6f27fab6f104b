"""Photon-style record ids: a type prefix plus a 26-character ULID body (``rx_01G8C1TNF8...``).

Demo ids come from a seeded RNG (timestamp and randomness both), so the same seed gives the same
ids on every run; records created at run time use the simulated clock's time. Encoding goes
through ``base64.b32encode`` (C speed): list pages encode a few dozen ids per request.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_RFC4648 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = bytes.maketrans(_RFC4648, _CROCKFORD)
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

# A ULID is 128 bits = 26 base32 characters (130 bits with two leading zero bits). Placed in a
# 160-bit field, the first 30 bits are zero: exactly 6 leading characters to drop.
_PAD_BYTES = 20
_DROP_CHARS = 6

# 2022-01-01 .. 2025-12-31 in ms: ULID timestamps of demo ids look like real Photon ids.
_DEMO_MS_LOW = 1_640_995_200_000
_DEMO_MS_HIGH = 1_767_139_200_000


def ulid_body(timestamp_ms: int, randomness: int) -> str:
    """The 26-char Crockford base32 ULID of a 48-bit timestamp and 80 bits of randomness."""
    value = ((timestamp_ms & 0xFFFF_FFFF_FFFF) << 80) | (randomness & ((1 << 80) - 1))
    encoded = base64.b32encode(value.to_bytes(_PAD_BYTES, "big"))
    return encoded[_DROP_CHARS:].translate(_TO_CROCKFORD).decode("ascii")


class IdFactory:
    """Mints ids from one seeded RNG: same seed, same sequence of ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def demo(self, prefix: str) -> str:
        """An id whose ULID timestamp is also drawn from the RNG (for demo records)."""
        rng = self._rng
        ms = rng.randrange(_DEMO_MS_LOW, _DEMO_MS_HIGH)
        return f"{prefix}_{ulid_body(ms, rng.getrandbits(80))}"

    def at(self, prefix: str, timestamp_ms: int) -> str:
        """An id for a record created at ``timestamp_ms`` (simulated time)."""
        return f"{prefix}_{ulid_body(timestamp_ms, self._rng.getrandbits(80))}"

    def base62(self, prefix: str, length: int = 16) -> str:
        """An Auth0-style id (``org_`` + 16 base62 chars)."""
        return prefix + "_" + "".join(self._rng.choice(_BASE62) for _ in range(length))


_MASK80 = (1 << 80) - 1
_FROM_CROCKFORD = bytes.maketrans(_CROCKFORD, _RFC4648)


def ulid_value(body: str) -> int | None:
    """The 128-bit value of a ULID body, or None when it is not 26 Crockford characters."""
    if len(body) != 26:
        return None
    try:
        raw = body.upper().encode("ascii")
    except UnicodeEncodeError:
        return None
    if raw.strip(_CROCKFORD):
        return None
    return int.from_bytes(base64.b32decode(b"AAAAAA" + raw.translate(_FROM_CROCKFORD)), "big")


class IndexCodec:
    """Maps record number ``k`` of one kind to a ULID-shaped id and back, with no table.

    At 100k patients the sandbox holds ~700k demo records; building an id dictionary for all of
    them would cost seconds at startup. Instead the ULID's randomness is an invertible affine
    function of ``k`` (odd multiplier modulo 2**80), so an id is computed when shown and decoded
    when looked up. Parameters come from the seeded RNG, so ids are deterministic per seed.
    """

    def __init__(self, prefix: str, rng: random.Random) -> None:
        self.prefix = prefix
        self._mul = rng.getrandbits(80) | 1
        self._inv = pow(self._mul, -1, 1 << 80)
        self._add = rng.getrandbits(80)
        self._ts_mul = rng.getrandbits(40) | 1
        self._ts_add = rng.getrandbits(40)
        self._head = prefix + "_"

    def _ms(self, k: int) -> int:
        return _DEMO_MS_LOW + (k * self._ts_mul + self._ts_add) % (_DEMO_MS_HIGH - _DEMO_MS_LOW)

    def encode(self, k: int) -> str:
        return self._head + ulid_body(self._ms(k), (k * self._mul + self._add) & _MASK80)

    def decode(self, record_id: str, count: int) -> int | None:
        """``k`` when ``record_id`` is this codec's id of a record below ``count``, else None."""
        if not record_id.startswith(self._head):
            return None
        value = ulid_value(record_id[len(self._head) :])
        if value is None:
            return None
        k = ((value & _MASK80) - self._add) * self._inv & _MASK80
        if k >= count or (value >> 80) != self._ms(k):
            return None
        return k


@dataclass(slots=True)
class Created:
    """Ids and externalIds of records of one kind created at run time."""

    by_id: dict[str, int] = field(default_factory=dict)
    id_of: dict[int, str] = field(default_factory=dict)
    by_external: dict[str, int] = field(default_factory=dict)
    external_of: dict[int, str] = field(default_factory=dict)


class RecordIds:
    """Ids of the store's records by handle and back: demo ids computed, run-time ids kept."""

    KINDS = ("pat", "rx", "ord", "fil")

    def __init__(self, factory: IdFactory, rng: random.Random) -> None:
        self._factory = factory
        self._codec = {kind: IndexCodec(kind, rng) for kind in self.KINDS}
        self.created = {kind: Created() for kind in self.KINDS}

    def id(self, kind: str, handle: int, n_demo: int) -> str:
        if handle < n_demo:
            return self._codec[kind].encode(handle)
        return self.created[kind].id_of[handle]

    def handle(self, kind: str, record_id: Any, n_demo: int) -> int | None:
        if not isinstance(record_id, str):
            return None
        found = self.created[kind].by_id.get(record_id)
        if found is not None:
            return found
        return self._codec[kind].decode(record_id, n_demo)

    def new(self, kind: str, handle: int, now: datetime) -> str:
        """A fresh ULID id stamped with the order clock's ``now``."""
        ms = int(now.timestamp() * 1000)
        created = self.created[kind]
        record_id = self._factory.at(kind, ms)
        while record_id in created.by_id:  # astronomically unlikely
            record_id = self._factory.at(kind, ms)
        created.by_id[record_id] = handle
        created.id_of[handle] = record_id
        return record_id
