"""Extension points: a lower app declares a `Registry`, and a higher app registers its
functions in its `AppConfig.ready()`, so that dependencies keep pointing one way
(reporting → vacancies → participants → academy) while lower pages show what higher
apps know. DEVELOPERS.md lists every registry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered set of things other apps add; registering twice adds once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[T] = []

    def register(self, item: T) -> T:
        """Add `item` (once) and return it, so this also works as a decorator."""
        if item not in self._items:
            self._items.append(item)
        return item

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __repr__(self) -> str:
        return f"Registry({self.name!r}, {len(self._items)} registered)"
