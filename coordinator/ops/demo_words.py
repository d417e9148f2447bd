"""What the demo subdistrict is made of: its places, names, trades and counts, and the
synthetic codes and phone numbers its rows carry (every one made up, every code valid)."""

from __future__ import annotations

import random

from coordinator.registry.codes import CREDIT_ALPHABET, credit_check_char

SEED = 20200210  # the day Shanghai's offices began to resume work in 2020
REGION = "310106"  # Jing'an District

AREAS = ("梧桐里居民区", "静庐居民区", "春晖居民区")

# (name, street, number, floors)
BUILDINGS = (
    ("恒晟广场", "南京西路", 1366, 66),
    ("锦泰中心", "南京西路", 1515, 48),
    ("嘉禾国际大厦", "威海路", 511, 38),
    ("梧桐商务中心", "石门一路", 288, 22),
    ("汇金大厦", "江宁路", 168, 31),
    ("瑞丰广场", "南京西路", 1168, 45),
    ("华庭中心", "陕西北路", 457, 27),
    ("静和大厦", "茂名北路", 219, 18),
    ("鼎盛国际", "北京西路", 1399, 36),
    ("晶华商厦", "吴江路", 99, 12),
    ("永耀中心", "威海路", 755, 40),
    ("兆隆广场", "南京西路", 1038, 52),
)

SHOP_STREETS = ("吴江路", "石门一路", "茂名北路", "泰兴路", "大田路")

NAME_HEADS = (
    "锦澜 嘉汇 恒睿 瑞祥 博远 汇通 安信 华彩 云帆 盛和 卓越 启明 鸿图 智联 天衡 "
    "明川 海纳 朗宁 信达 中谷 广融 同舟 景行 晨曦 远帆 诚德 丰泽 凯捷 青禾 星澜"
).split()
NAME_TAILS = "源 岚 川 拓 悦 承 峰 宸 瀚 泓 舟 桥".split()

# (industry, business word, share of companies)
INDUSTRIES = (
    ("信息技术", "信息科技", 0.2),
    ("金融服务", "投资管理", 0.12),
    ("商务咨询", "企业管理咨询", 0.14),
    ("专业服务", "律师事务所", 0.06),
    ("会计审计", "会计师事务所", 0.06),
    ("广告传媒", "文化传媒", 0.1),
    ("文化创意", "文化创意", 0.06),
    ("教育培训", "教育科技", 0.06),
    ("医疗健康", "健康管理", 0.06),
    ("贸易", "国际贸易", 0.14),
)
SHOPS = (("零售", "服饰店"), ("餐饮", "餐饮店"), ("餐饮", "咖啡馆"), ("零售", "书店"))

# Surnames with their pinyin (for synthetic email addresses).
PINYIN = dict(
    pair.split(":")
    for pair in (
        "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu "
        "孙:sun 马:ma 朱:zhu 胡:hu 郭:guo 何:he 林:lin 罗:luo 高:gao 郑:zheng 梁:liang 谢:xie "
        "宋:song 唐:tang 许:xu 韩:han 冯:feng 邓:deng 曹:cao 沈:shen 顾:gu 陆:lu 钱:qian "
        "蒋:jiang 蔡:cai"
    ).split()
)
SURNAMES = tuple(PINYIN)
GIVEN = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 文 华 "
    "晨 怡 欣 婷 浩 宇 佳 颖 俊 峰 琳 慧 雯 斌 蕾 嘉怡 子轩 思远 梓涵 一鸣 雨欣"
).split()
SKILLS = (
    "急救",
    "消防",
    "英语",
    "法律咨询",
    "心理疏导",
    "政策宣讲",
    "摄影",
    "驾驶",
    "测温",
    "信息录入",
)
MOBILE_PREFIXES = (
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "158",
    "177",
    "186",
    "189",
    "199",
)

BRANCH_NAMES = (
    "恒晟锦泰楼宇联合党支部",
    "嘉禾梧桐楼宇联合党支部",
    "瑞丰华庭楼宇联合党支部",
    "鼎盛兆隆楼宇联合党支部",
)
RESIDENTIAL_BRANCH = "梧桐里居民区党总支"

COUNTS = {
    "areas": 3,
    "buildings": 12,
    "party_branches": 5,
    "companies": 200,
    "people": 40,
    "teams": 4,
}
SHOP_COUNT = 16  # street-front shops among the 200 companies


def organization_code(body: str) -> str:
    """The 9-character organization code (GB 11714): 8 characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, kind: str = "91") -> str:
    """A valid unified social credit code registered in Jing'an (kind 91 company, 92 shop)."""
    if rng.random() < 0.6:
        # Codes issued since 2015 in Shanghai mostly read MA1… after the region.
        body = "MA1" + "".join(rng.choice(CREDIT_ALPHABET[:-1]) for _ in range(5))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = kind + REGION + organization_code(body)
    return first17 + credit_check_char(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    return f"021-{rng.choice('56'):s}{rng.randrange(10**7):07d}"


def person_names(rng: random.Random) -> list[str]:
    names: list[str] = []
    while len(names) < COUNTS["people"]:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in names:
            names.append(name)
    return names


def pinyin(name: str) -> str:
    return PINYIN.get(name[0], "user")


def company_names(rng: random.Random, count: int) -> list[str]:
    heads = [h + t for h in NAME_HEADS for t in NAME_TAILS]
    return rng.sample(heads, count)
