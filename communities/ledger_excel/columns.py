"""The ledger's columns: the import template's (with the cell rules each
follows) and the export's. One list serves the template, the import and the
export, so a file the portal exports can be edited and imported back.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from communities.models import Enclosure, FundHolder, FundStatus, ManagementMode, OwnersBody


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str  # text | int | decimal | year | choice | bool | street | community | computed
    width: int = 12
    required: bool = False
    max_length: int = 0
    choices: tuple = ()
    aliases: tuple = ()
    importable: bool = True
    note: str = ""


def _choice(choices_cls):
    return tuple((str(label), value) for value, label in choices_cls.choices)


# Import columns, in template order. Headers carry their units.
IMPORT_COLUMNS = (
    Column("街道", "street", "street", 14, required=True, aliases=("街道办事处", "街道（乡镇）")),
    Column("社区", "community", "community", 14, required=True, aliases=("社区（居委会）", "居委会")),
    Column("小区名称", "name", "text", 20, required=True, max_length=100, aliases=("小区",)),
    Column("地址", "address", "text", 28, max_length=200),
    Column("建成年份", "year_built", "year", 10, required=True, aliases=("建成年代",)),
    Column("楼栋数（栋）", "building_count", "int", 10, aliases=("楼栋数",)),
    Column("户数（户）", "households", "int", 10, aliases=("户数",)),
    Column(
        "建筑面积（㎡）",
        "floor_area",
        "decimal",
        14,
        aliases=("建筑面积", "建筑面积（平方米）", "建筑面积（m²）", "建筑面积（m2）"),
    ),
    Column("开放形式", "enclosure", "choice", 10, choices=_choice(Enclosure)),
    Column("管理模式", "management_mode", "choice", 18, choices=_choice(ManagementMode)),
    Column("业主组织", "owners_body", "choice", 12, choices=_choice(OwnersBody)),
    Column("维修资金归集", "fund_status", "choice", 12, choices=_choice(FundStatus)),
    Column("维修资金余额（元）", "fund_balance", "decimal", 16, aliases=("维修资金余额",)),
    Column("维修资金持有方", "fund_holder", "choice", 16, choices=_choice(FundHolder)),
    Column("停车位（个）", "parking_spaces", "int", 10, aliases=("停车位",)),
    Column("机动车数（辆）", "vehicles", "int", 10, aliases=("机动车数",)),
    Column("有视频监控", "has_surveillance", "bool", 10),
    Column("消防通道堵塞", "fire_passage_blocked", "bool", 10),
    Column("计划征收拆迁", "expropriation_planned", "bool", 10),
    Column("棚户区改造", "shantytown", "bool", 10),
    Column("经度", "longitude", "decimal", 12),
    Column("纬度", "latitude", "decimal", 12),
    Column("备注", "remarks", "text", 30, max_length=2000),
)

DECIMAL_LIMITS = {
    "floor_area": (Decimal("0"), Decimal("9999999999.99"), 2),
    "fund_balance": (Decimal("0"), Decimal("999999999999.99"), 2),
    "longitude": (Decimal("73"), Decimal("136"), 6),
    "latitude": (Decimal("3"), Decimal("54"), 6),
}
INT_MAX = 2_000_000_000
FIELD_DEFAULTS = {
    "address": "",
    "building_count": 0,
    "households": 0,
    "floor_area": Decimal("0"),
    "enclosure": Enclosure.OPEN,
    "management_mode": ManagementMode.NONE,
    "owners_body": OwnersBody.NONE,
    "fund_status": FundStatus.UNKNOWN,
    "fund_balance": None,
    "fund_holder": FundHolder.NONE,
    "parking_spaces": None,
    "vehicles": None,
    "has_surveillance": False,
    "fire_passage_blocked": False,
    "expropriation_planned": False,
    "shantytown": False,
    "longitude": None,
    "latitude": None,
    "remarks": "",
}


def normalize_header(text) -> str:
    if text is None:
        return ""
    text = str(text).strip().replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    text = text.replace("m²", "㎡").replace("m2", "㎡").replace("平方米", "㎡")
    return re.sub(r"\s+", "", text).replace("（必填）", "")


HEADER_LOOKUP = {}
for _column in IMPORT_COLUMNS:
    for _name in (_column.header, *_column.aliases):
        HEADER_LOOKUP[normalize_header(_name)] = _column


COLUMN_ORDER = {column.header: index for index, column in enumerate(IMPORT_COLUMNS)}


def column_order(error):
    return COLUMN_ORDER.get(error.column, 99)


HEADER_SEARCH_ROWS = 10
# Columns read from an import: the export's (it imports back) and a margin
# for a few columns the clerk added; cells further right are never read.
COLUMN_MARGIN = 10


EXPORT_HEADERS = (
    ("序号", 7),
    ("街道", 14),
    ("社区", 14),
    ("小区名称", 20),
    ("地址", 28),
    ("建成年份", 10),
    ("老旧小区", 9),
    ("楼栋数（栋）", 10),
    ("户数（户）", 10),
    ("建筑面积（㎡）", 14),
    ("建筑面积（万㎡）", 12),
    ("开放形式", 10),
    ("管理模式", 18),
    ("业主组织", 12),
    ("维修资金归集", 12),
    ("维修资金余额（元）", 16),
    ("维修资金持有方", 16),
    ("停车位（个）", 10),
    ("机动车数（辆）", 10),
    ("有视频监控", 10),
    ("消防通道堵塞", 10),
    ("计划征收拆迁", 10),
    ("棚户区改造", 10),
    ("C/D级危房（栋）", 12),
    ("待拆违建（㎡）", 12),
    ("经度", 12),
    ("纬度", 12),
    ("备注", 30),
)
IMPORT_MAX_COLUMNS = max(len(IMPORT_COLUMNS), len(EXPORT_HEADERS)) + COLUMN_MARGIN
