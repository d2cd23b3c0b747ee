"""Monitoring models: uploads of Sferum exports, the snapshots they hold, targets, and the weekly
values computed from the snapshots."""

from .snapshots import COUNT_FIELDS, Snapshot
from .targets import MEASURED_INDICATORS, Indicator, IndicatorRule, Target
from .uploads import Upload, UploadProblem
from .weekly import (
    RATE_INDICATORS,
    WeeklyMunicipalityValue,
    WeeklyOrganizationValue,
    WeeklyRegionValue,
)

__all__ = [
    "COUNT_FIELDS",
    "MEASURED_INDICATORS",
    "RATE_INDICATORS",
    "Indicator",
    "IndicatorRule",
    "Snapshot",
    "Target",
    "Upload",
    "UploadProblem",
    "WeeklyMunicipalityValue",
    "WeeklyOrganizationValue",
    "WeeklyRegionValue",
]
