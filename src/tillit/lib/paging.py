"""Pages of a long list without counting it: one row more than a page tells whether a next page exists.

Django's Paginator counts every row the filter finds to number the pages; over a million hits that
count alone takes seconds. A `Page` here knows its number and whether there is a page before and
after it, which is all that "Previous" and "Next" links need.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# a page number beyond this is no page (and no OFFSET too large for the database)
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page:
    object_list: list[Any]
    number: int
    has_next: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(value: str | None) -> int:
    """The page asked for: a whole number from 1 up; anything else is the first page."""
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def uncounted_page(queryset, number: int, size: int) -> Page:
    """Page `number` (from 1) of `size` rows, read as size + 1 rows and without a COUNT."""
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(object_list=rows[:size], number=number, has_next=len(rows) > size)
