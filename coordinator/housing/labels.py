"""The words for the residential survey's codes (read through `coordinator.labels`)."""

from __future__ import annotations

import enum

from coordinator.housing.models import (
    BlockRole,
    CompoundKind,
    DwellingState,
    DwellingUse,
    StateSource,
)
from coordinator.housing.surveys.models import ResultCode
from coordinator.platform.i18n import Text

T = Text

LABELS: dict[type[enum.StrEnum], dict[str, Text]] = {
    CompoundKind: {
        "compound": T("小区", "compound"),
        "street": T("沿街", "street"),
    },
    DwellingUse: {
        "residential": T("住宅", "residential"),
        "shop": T("沿街商铺", "street shop"),
        "office": T("办公", "office"),
        "mixed": T("商住混合", "mixed use"),
    },
    DwellingState: {
        "unsurveyed": T("未排摸", "not yet surveyed"),
        "owner_occupied": T("自住", "owner-occupied"),
        "rented_whole": T("整租", "rented whole"),
        "rented_shared": T("合租", "rented shared"),
        "suspected_group_rental": T("疑似群租", "suspected group rental"),
        "suspected_day_rental": T("疑似日租", "suspected day rental"),
        "vacant": T("空置", "vacant"),
        "renovating": T("装修中", "under renovation"),
    },
    StateSource: {
        "coordinator": T("协调员", "coordinator"),
        "survey": T("排摸", "survey"),
        "case": T("案件办结", "case resolved"),
        "import": T("导入", "import"),
    },
    BlockRole: {
        "leader": T("块长", "block leader"),
        "deputy": T("副块长", "deputy block leader"),
    },
    ResultCode: {
        "confirmed": T("核实无误", "seen and confirmed"),
        "changed": T("情况有变", "state changed"),
        "nobody_home": T("无人在家", "nobody home"),
        "refused": T("拒绝配合", "refused"),
        "moved_out": T("已搬离", "moved out"),
    },
}
