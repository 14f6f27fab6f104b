"""Photon-style ids: ULID bodies, decodable demo ids, nothing else decodes."""

from __future__ import annotations

import random

from photon_desktop.sandbox.ids import IdFactory, IndexCodec, ulid_body, ulid_value


def test_ulid_body_is_26_crockford_chars_and_round_trips() -> None:
    body = ulid_body(1_700_000_000_000, 12345)
    assert len(body) == 26 and set(body) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    value = ulid_value(body)
    assert value is not None
    assert value >> 80 == 1_700_000_000_000 and value & ((1 << 80) - 1) == 12345
    assert ulid_value("I" * 26) is None and ulid_value("0" * 25) is None


def test_codec_ids_decode_to_their_record_and_reject_everything_else() -> None:
    codec = IndexCodec("rx", random.Random(9))
    ids = [codec.encode(k) for k in range(500)]
    assert len(set(ids)) == 500
    assert [codec.decode(i, 500) for i in ids] == list(range(500))
    assert codec.decode(ids[499], 499) is None  # beyond the records that exist
    other = IndexCodec("rx", random.Random(10))
    assert all(other.decode(i, 500) is None for i in ids)
    assert codec.decode("pat_" + ids[0][3:], 500) is None
    assert codec.decode("rx_not-a-ulid", 500) is None


def test_factory_is_deterministic_per_seed() -> None:
    a, b = IdFactory(random.Random(3)), IdFactory(random.Random(3))
    assert [a.demo("phr") for _ in range(3)] == [b.demo("phr") for _ in range(3)]
    org = IdFactory(random.Random(3)).base62("org")
    assert org.startswith("org_") and len(org) == 20 and org[4:].isalnum()
