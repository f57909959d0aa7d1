"""The real production stack: PostgreSQL and Redis, as CI provides them."""

import pytest
from django.core.cache import cache
from django.urls import reverse


def test_suite_runs_on_postgresql(postgres):
    with postgres.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_cache_is_shared_through_redis(redis_url, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("stack-check", "here", 5)
    import redis

    keys = redis.Redis.from_url(redis_url).keys("*stack-check*")
    assert keys, "the cache did not write to Redis"


@pytest.mark.django_db
def test_health_reports_redis_down(settings, client):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
