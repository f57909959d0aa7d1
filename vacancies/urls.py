"""URLs of vacancies, training places, matching, referrals and the public board."""

from django.urls import path

from .views import board, events, events_public, feeds, opportunities, referrals

app_name = "vacancies"

urlpatterns = [
    path("vacancies/", opportunities.vacancy_list, name="list"),
    path("vacancies/new/", opportunities.vacancy_add, name="add"),
    path("vacancies/<int:pk>/", opportunities.vacancy_detail, name="detail"),
    path("vacancies/<int:pk>/edit/", opportunities.vacancy_edit, name="edit"),
    path("vacancies/<int:pk>/status/", opportunities.vacancy_status, name="status"),
    path("vacancies/<int:pk>/matches/", referrals.vacancy_matches, name="matches"),
    path("training/", opportunities.training_list, name="training-list"),
    path("training/new/", opportunities.training_add, name="training-add"),
    path("training/<int:pk>/", opportunities.training_detail, name="training-detail"),
    path("training/<int:pk>/edit/", opportunities.training_edit, name="training-edit"),
    path(
        "participants/<int:pk>/matches/",
        referrals.participant_matches,
        name="participant-matches",
    ),
    path("referrals/", referrals.referral_list, name="referral-list"),
    path("referrals/new/", referrals.referral_create, name="referral-create"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral-detail"),
    path(
        "referrals/<int:pk>/move/", referrals.referral_advance, name="referral-advance"
    ),
    path(
        "referrals/<int:pk>/interview/",
        referrals.referral_interview,
        name="referral-interview",
    ),
    path("events/", events.event_list, name="event-list"),
    path("events/new/", events.event_add, name="event-add"),
    # Calendar feeds: before the academies' public pages, whose slug would match.
    path("events/calendar/", feeds.calendar_feeds, name="event-calendar"),
    path("events/calendar/new/", feeds.calendar_feed_new, name="event-calendar-new"),
    path(
        "events/calendar/<slug:token>.ics",
        feeds.member_feed,
        name="event-feed-private",
    ),
    path(
        "events/<slug:academy_slug>/calendar.ics",
        feeds.public_feed,
        name="event-feed",
    ),
    path("events/<int:pk>/", events.event_detail, name="event-detail"),
    path("events/<int:pk>/edit/", events.event_edit, name="event-edit"),
    path("events/<int:pk>/cancel/", events.event_cancel, name="event-cancel"),
    path("events/<int:pk>/book/", events.event_book, name="event-book"),
    path("events/<int:pk>/register/", events.event_register, name="event-register"),
    path(
        "events/<int:pk>/register/all-present/",
        events.event_mark_all,
        name="event-mark-all",
    ),
    path(
        "events/<int:pk>/register/walk-in/",
        events.event_walk_in,
        name="event-walk-in",
    ),
    path("events/<int:pk>/register/print/", events.event_print, name="event-print"),
    path("events/<int:pk>/check-in-code/", events.event_qr, name="event-qr"),
    path("events/sign-ups/<int:pk>/mark/", events.signup_mark, name="signup-mark"),
    path(
        "events/sign-ups/<int:pk>/promote/",
        events.signup_promote,
        name="signup-promote",
    ),
    path(
        "events/sign-ups/<int:pk>/cancel/",
        events.signup_cancel,
        name="signup-cancel",
    ),
    path("events/sign-ups/<int:pk>/link/", events.signup_link, name="signup-link"),
    path(
        "events/sign-ups/<int:pk>/enquiry/",
        events.signup_enquiry,
        name="signup-enquiry",
    ),
    path("jobs/<slug:academy_slug>/", board.board_list, name="board"),
    path("jobs/<slug:academy_slug>/<int:pk>/", board.board_detail, name="board-detail"),
    # Public (spec/roles.md): the tokens are the only keys to a booking and a check-in.
    path(
        "events/cancel/<slug:cancel_token>/",
        events_public.booking_cancel,
        name="booking-cancel",
    ),
    path(
        "events/check-in/<slug:checkin_token>/",
        events_public.event_check_in,
        name="event-check-in",
    ),
    path(
        "events/<slug:academy_slug>/",
        events_public.event_board,
        name="event-board",
    ),
    path(
        "events/<slug:academy_slug>/<int:pk>/",
        events_public.event_board_detail,
        name="event-board-detail",
    ),
    path(
        "events/<slug:academy_slug>/<int:pk>/signed-up/",
        events_public.event_board_signed_up,
        name="event-board-signed-up",
    ),
]
