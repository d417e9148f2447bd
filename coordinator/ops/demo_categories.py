"""The demo subdistrict's case categories (事项类型): the "1+4" joint problems the footwork
finds, and the needs companies raise in visits (the codes of visits.models.NeedCategory,
so needs become cases of the same codes). Each with its clocks and escalation ladder."""

from __future__ import annotations

from typing import Any

# Who hears of an overdue task, and when (working hours past its due time).
STANDARD = [
    {"after_hours": 0.0, "to": "department_lead"},
    {"after_hours": 8.0, "to": "coordinators"},
]
QUICK = [
    {"after_hours": 0.0, "to": "department_lead"},
    {"after_hours": 4.0, "to": "coordinators"},
]
SERVICE = [
    {"after_hours": 0.0, "to": "team_lead"},
    {"after_hours": 16.0, "to": "coordinators"},
]
FACTORS = {"urgent": 0.25, "high": 0.5, "low": 2.0}
SERVICE_GROUP = "企业服务"


def _attribute(
    code: str,
    datatype: str,
    description: str,
    order: int,
    values: tuple[tuple[str, str], ...] = (),
    note: str | None = None,
) -> dict[str, Any]:
    """An Open311 attribute definition, every member spelled out."""
    return {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": False,
        "datatype_description": note,
        "order": order,
        "description": description,
        "values": [{"key": key, "name": name} for key, name in values],
    }


def _category(
    code: str,
    name: str,
    name_en: str,
    group: str,
    clocks: tuple[int, int],
    description: str,
    keywords: str | None,
    *,
    photo: bool = False,
    ladder: list[dict[str, Any]] = STANDARD,
    factors: dict[str, float] | None = None,
    attributes: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    service = group == SERVICE_GROUP
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "description": description,
        "group": group,
        "keywords": keywords,
        "response_hours": clocks[0],
        "resolution_days": clocks[1],
        "urgency_factors": factors,
        "escalation": ladder,
        "photo_required": photo,
        # Companies answer a follow-up more slowly than a neighbour who called it in.
        "reply_days": 5 if service else 3,
        "attributes": list(attributes),
        # Needs come from visits, not from the public (Open311 lists only the public).
        "public": not service,
        "active": True,
    }


CATEGORIES: tuple[dict[str, Any], ...] = (
    _category(
        "group_rental", "群租", "group rental", "房屋租赁", (4, 10),
        "一套住房分隔出租、居住人数明显超标", "群租,隔断,二房东",
        photo=True, factors=FACTORS,
        attributes=(
            _attribute("residents", "number", "估计居住人数", 1, note="整数"),
            _attribute(
                "rooms", "singlevaluelist", "隔出的房间数", 2,
                (("2", "两间"), ("3", "三间"), ("4+", "四间及以上")),
            ),
        ),
    ),
    _category(
        "day_rental", "日租房", "day rental", "房屋租赁", (4, 7),
        "住宅按日出租、频繁更换住客", "日租,短租,民宿",
        attributes=(
            _attribute(
                "platform", "singlevaluelist", "在哪里发布", 1,
                (("app", "网络平台"), ("flyer", "小广告"), ("unknown", "不清楚")),
            ),
            _attribute("listing", "string", "房源链接或编号", 2),
        ),
    ),
    _category(
        "bikes_blocking", "非机动车乱停放", "bicycles blocking the way", "市容环境", (2, 2),
        "共享单车、电动自行车堵塞人行道或楼宇出入口", "单车,电瓶车,堵塞",
        photo=True, ladder=QUICK,
    ),
    _category(
        "garbage_room", "垃圾箱房", "garbage room", "市容环境", (4, 3),
        "垃圾箱房满溢、异味、未分类或设施破损", "垃圾,箱房,分类",
        photo=True,
        attributes=(
            _attribute(
                "problem", "multivaluelist", "发现的问题", 1,
                (
                    ("overflow", "满溢"), ("smell", "异味"),
                    ("unsorted", "未分类"), ("broken", "设施破损"),
                ),
            ),
        ),
    ),
    _category(
        "street_vending", "占道经营", "street vending", "市容环境", (2, 2),
        "店招外摆、流动摊贩占用人行道", "摊贩,外摆,占道",
        photo=True, ladder=QUICK,
    ),
    _category(
        "noise", "噪声扰民", "noise", "生活环境", (2, 3),
        "夜间施工、娱乐场所、设备噪声影响居民休息", "噪声,扰民,施工",
        ladder=QUICK, factors={"urgent": 0.25, "high": 0.5},
        attributes=(
            _attribute(
                "period", "singlevaluelist", "噪声出现的时段", 1,
                (("night", "夜间"), ("day", "白天"), ("both", "全天")),
            ),
        ),
    ),
    _category(
        "epidemic_supplies", "防疫物资", "epidemic supplies", SERVICE_GROUP, (8, 3),
        "口罩、消毒用品等防疫物资的采购与调配", "防疫,口罩,消毒",
        ladder=SERVICE, factors=FACTORS,
    ),
    _category(
        "policy", "政策咨询", "policy", SERVICE_GROUP, (8, 5),
        "扶持政策、减免政策的咨询与申报", "政策,补贴,申报", ladder=SERVICE,
    ),
    _category(
        "hiring", "招工用工", "hiring", SERVICE_GROUP, (8, 10),
        "招聘、用工、社保方面的困难", "招聘,用工,社保", ladder=SERVICE,
    ),
    _category(
        "rent", "房租", "rent", SERVICE_GROUP, (8, 10),
        "租金减免、租约纠纷的协调", "房租,减免,租约", ladder=SERVICE,
    ),
    _category(
        "legal_help", "法律援助", "legal help", SERVICE_GROUP, (8, 10),
        "合同、劳动等法律问题的援助", "法律,合同,劳动",
    ),
    _category(
        "property_management", "物业管理", "property management", SERVICE_GROUP, (8, 5),
        "物业服务、设施维修方面的问题", "物业,维修,设施",
    ),
    _category(
        "other", "其他", "other", SERVICE_GROUP, (8, 10), "其他需要街道协调的事项", None,
    ),
)  # fmt: skip
