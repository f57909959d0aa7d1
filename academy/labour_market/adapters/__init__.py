"""One adapter per source, behind the `Adapter` interface of `observations.py`."""

from __future__ import annotations

from ..observations import Adapter, Source
from .lg_inform import LgInformAdapter
from .nomis import NomisClaimantCountAdapter
from .skills_for_care import SkillsForCareAdapter

ADAPTERS: dict[Source, Adapter] = {
    Source.SKILLS_FOR_CARE: SkillsForCareAdapter(),
    Source.LG_INFORM: LgInformAdapter(),
    Source.NOMIS_CLAIMANT_COUNT: NomisClaimantCountAdapter(),
}


def adapter_for(source: str) -> Adapter:
    """The adapter of a source name (`skills-for-care`, `lg-inform`, ...)."""
    return ADAPTERS[Source(source)]


__all__ = [
    "ADAPTERS",
    "LgInformAdapter",
    "NomisClaimantCountAdapter",
    "SkillsForCareAdapter",
    "adapter_for",
]
