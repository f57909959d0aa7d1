"""Every write of the participants app. Modules by subject; import from here."""

from .casework import *  # noqa: F403
from .casework import __all__ as _casework

__all__ = [*_casework]
