"""The ledger's import template: the columns' headers, drop-down lists of the
user's own streets and communities, and a sheet of instructions."""

from itertools import zip_longest

from django.utils.translation import gettext as _

from communities import selectors
from communities.ledger_excel.columns import DECIMAL_LIMITS, IMPORT_COLUMNS
from core.xlsx import BOLD_FORMAT, HEADER_FORMAT, column_letter, new_workbook

# The template's header looks like the export's (core.xlsx), with required columns in red.
REQUIRED_FONT = {"bold": True, "font_color": "#C00000"}
VALIDATED_ROWS = 5000  # the rows a drop-down list is offered on


def write_template(fileobj, *, user) -> None:
    """The import template: Chinese headers, drop-down lists, the user's own
    streets and communities, and a sheet of instructions."""
    with new_workbook(fileobj) as book:
        sheet = book.sheet("小区台账")
        options = book.sheet("可选值")
        guide = book.sheet("填写说明", widths=(20, 80))
        header, required = book.format(**HEADER_FORMAT), book.format(**{**HEADER_FORMAT, **REQUIRED_FONT})
        worksheet = sheet.worksheet
        for index, column in enumerate(IMPORT_COLUMNS):
            sheet.write(0, index, column.header, required if column.required else header)
            if column.required:
                worksheet.write_comment(0, index, _("必填"), {"author": "oldestate"})
            worksheet.set_column(index, index, column.width + 2)
        worksheet.freeze_panes(1, 3)

        ranges = _write_options(options, bold=book.format(**BOLD_FORMAT), user=user)
        for index, column in enumerate(IMPORT_COLUMNS):
            source = None
            if column.kind in ("street", "community", "choice"):
                source = ranges[column.header]
            elif column.kind == "bool":
                source = ranges["是/否"]
            if source:
                worksheet.data_validation(
                    1,
                    index,
                    VALIDATED_ROWS - 1,
                    index,
                    {
                        "validate": "list",
                        "source": f"={source}",
                        "ignore_blank": not column.required,
                        "error_title": column.header[:32],
                        "error_message": _("请从下拉列表中选择。"),
                    },
                )

        bold = book.format(**BOLD_FORMAT)
        guide.append([_("列"), _("填写要求")], bold)
        for column in IMPORT_COLUMNS:
            guide.append([column.header, _column_help(column)])
        guide.append()
        guide.append(
            [_("重复导入"), _("同一社区内小区名称相同的行会更新已有小区，不会重复新增；留空的列在更新时恢复为默认值。")]
        )
        guide.append(
            [_("全部或全不"), _("上传后先预览；有任何一行出错都不会写入，改正后重新上传。确认导入时全部写入。")]
        )


def _write_options(options, *, bold, user) -> dict[str, str]:
    """The drop-down lists' values, one column each on the 可选值 sheet: the
    user's own streets and communities, each choice column's labels, 是/否.
    Returns each list's cell range by its title."""
    communities = list(selectors.communities_for(user=user))
    option_columns = [("街道", sorted({c.street.name for c in communities})), ("社区", [c.name for c in communities])]
    option_columns += [(c.header, [label for label, _code in c.choices]) for c in IMPORT_COLUMNS if c.kind == "choice"]
    option_columns.append(("是/否", ["是", "否"]))
    ranges = {}
    for index, (title, values) in enumerate(option_columns):
        letter = column_letter(index)
        ranges[title] = f"'可选值'!${letter}$2:${letter}${max(2, len(values) + 1)}"
        options.worksheet.set_column(index, index, 22)
    # The sheet is streamed: written row by row, each list down its own column.
    options.append([title for title, _values in option_columns], bold)
    for row in zip_longest(*(values for _title, values in option_columns)):
        options.append(row)
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
