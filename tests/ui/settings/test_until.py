"""When something ends: the time alone today, the date as well on any other day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from photon_desktop.ui.common.formatting import fmt_date, fmt_until


def test_a_moment_later_today_is_its_time_alone() -> None:
    now = datetime(2026, 3, 4, 9, 0).astimezone()
    text = fmt_until(now + timedelta(hours=2), now=now)
    assert "11" in text and fmt_date(date(2026, 3, 4)) not in text


def test_a_moment_on_another_day_names_the_date() -> None:
    now = datetime(2026, 3, 4, 16, 21).astimezone()
    text = fmt_until(now + timedelta(hours=24), now=now)
    assert text.startswith(fmt_date(date(2026, 3, 5)))
