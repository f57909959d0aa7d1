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


def test_a_day_is_said_with_its_year_only_when_it_is_not_this_years():
    import time_machine

    from academy.days import day_said

    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=UTC), tick=False):
        assert day_said(dt.date(2026, 12, 31)) == "Thursday 31 December"
        assert day_said(dt.date(2027, 1, 5)) == "Tuesday 5 January 2027"
        assert day_said(dt.date(2027, 1, 5), short=True) == "Tue 5 Jan 2027"
        # A moment is said as London's day: 23:30 UTC on 31 Dec is still 2026.
        late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
        assert day_said(late, short=True) == "Thu 31 Dec"
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 30, tzinfo=UTC), tick=False):
        # 1 July in London (BST), whatever UTC's date.
        summer = dt.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
        assert day_said(summer) == "Wednesday 1 July"
