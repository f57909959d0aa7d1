"""Where a form's error is said since the error summary came in (issue 15): once in the
summary at the top, as a link "Label: message", and for a field once more beside it.
A bare `page.get_by_text(message)` now finds both; these say which one is meant."""

from playwright.sync_api import Locator, Page


def in_summary(page: Page, message: str) -> Locator:
    """The summary's line that says `message` (after its field's label)."""
    return page.locator(".error-summary li", has_text=message)


def beside_field(page: Page, message: str) -> Locator:
    """The message under the field it is about."""
    return page.locator(".invalid-feedback", has_text=message)
