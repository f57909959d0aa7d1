import datetime as dt

from academy.days import local_midnight, tomorrow_window

UTC = dt.UTC


def test_tomorrow_is_londons_day_after_even_when_the_clocks_change():
    # 28 March 2026, late evening in London: tomorrow is the 29th, which is 23
    # hours long (the clocks go forward at 01:00).
    start, end = tomorrow_window(dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    assert start == dt.datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert end == dt.datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(hours=23)


def test_a_summer_day_begins_at_eleven_the_evening_before_in_utc():
    assert local_midnight(dt.date(2026, 7, 1)) == dt.datetime(
        2026, 6, 30, 23, 0, tzinfo=UTC
    )
    # 23:30 UTC on 30 June is already 1 July in London: tomorrow is the 2nd.
    start, _ = tomorrow_window(dt.datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert start == dt.datetime(2026, 7, 1, 23, 0, tzinfo=UTC)
