"""Every write of the participants app. Modules by subject; import from here."""

from .casework import *  # noqa: F403
from .casework import __all__ as _casework
from .doubles import (
    outcome_double_resolve,
    outcome_doubles_find,
    outcome_replaced_hooks,
)
from .enquiries import *  # noqa: F403
from .enquiries import __all__ as _enquiries
from .imports import *  # noqa: F403
from .imports import __all__ as _imports
from .rights import *  # noqa: F403
from .rights import __all__ as _rights

__all__ = [
    *_casework,
    *_enquiries,
    *_imports,
    *_rights,
    "outcome_double_resolve",
    "outcome_doubles_find",
    "outcome_replaced_hooks",
]
