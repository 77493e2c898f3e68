"""The ledger's import template: the columns' headers, drop-down lists of the
user's own streets and communities, and a sheet of instructions."""

from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from communities import selectors
from communities.ledger_excel.columns import DECIMAL_LIMITS, IMPORT_COLUMNS
from core.xlsx import BORDER, CENTER, HEADER_FILL, HEADER_FONT, new_workbook

# The template's header looks like the export's (core.xlsx), with required columns in red.
REQUIRED_FONT = Font(bold=True, color="C00000")


def write_template(fileobj, *, user) -> None:
    """The import template: Chinese headers, drop-down lists, the user's own
    streets and communities, and a sheet of instructions."""
    workbook = new_workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "小区台账"
    options = workbook.create_sheet("可选值")
    guide = workbook.create_sheet("填写说明")

    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTER
        if column.required:
            cell.comment = Comment(_("必填"), "oldestate")
        sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    sheet.freeze_panes = "D2"

    ranges = _write_options(options, user=user)
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        source = None
        if column.kind in ("street", "community") or column.kind == "choice":
            source = ranges[column.header]
        elif column.kind == "bool":
            source = ranges["是/否"]
        if source:
            validation = DataValidation(type="list", formula1=f"={source}", allow_blank=not column.required)
            validation.error = _("请从下拉列表中选择。")
            validation.errorTitle = column.header
            sheet.add_data_validation(validation)
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}5000")

    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 80
    guide.append([_("列"), _("填写要求")])
    for cell in guide[1]:
        cell.font = HEADER_FONT
    for column in IMPORT_COLUMNS:
        guide.append([column.header, _column_help(column)])
    guide.append([])
    guide.append(
        [_("重复导入"), _("同一社区内小区名称相同的行会更新已有小区，不会重复新增；留空的列在更新时恢复为默认值。")]
    )
    guide.append([_("全部或全不"), _("上传后先预览；有任何一行出错都不会写入，改正后重新上传。确认导入时全部写入。")])
    workbook.save(fileobj)


def _write_options(options, *, user) -> dict[str, str]:
    """The drop-down lists' values, one column each on the 可选值 sheet: the
    user's own streets and communities, each choice column's labels, 是/否.
    Returns each list's cell range by its title."""
    communities = list(selectors.communities_for(user=user))
    option_columns = [("街道", sorted({c.street.name for c in communities})), ("社区", [c.name for c in communities])]
    option_columns += [(c.header, [label for label, _code in c.choices]) for c in IMPORT_COLUMNS if c.kind == "choice"]
    option_columns.append(("是/否", ["是", "否"]))
    ranges = {}
    for index, (title, values) in enumerate(option_columns, start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=title).font = HEADER_FONT
        for offset, value in enumerate(values, start=2):
            options.cell(row=offset, column=index, value=value)
        ranges[title] = f"'可选值'!${letter}$2:${letter}${max(2, len(values) + 1)}"
        options.column_dimensions[letter].width = 22
    return ranges


def _column_help(column):
    parts = [_("必填") if column.required else _("选填")]
    if column.kind == "year":
        parts.append(_("4位年份，例如 1985"))
    elif column.kind == "int":
        parts.append(_("不小于0的整数"))
    elif column.kind == "decimal":
        low, high, places = DECIMAL_LIMITS[column.field]
        parts.append(_("数字，%(low)s 至 %(high)s，最多%(p)s位小数") % {"low": low, "high": high, "p": places})
    elif column.kind == "choice":
        parts.append(_("可选：") + "、".join(label for label, _c in column.choices))
    elif column.kind == "bool":
        parts.append(_("填“是”或“否”"))
    elif column.kind == "street":
        parts.append(_("街道办事处全称，须在您的管辖范围内"))
    elif column.kind == "community":
        parts.append(_("社区全称，须属于同一行的街道"))
    if column.max_length:
        parts.append(_("不超过%(n)s字") % {"n": column.max_length})
    return "；".join(parts)
