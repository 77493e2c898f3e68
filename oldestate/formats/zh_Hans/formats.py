# Replaces Django's zh_Hans formats, whose DATE_INPUT_FORMATS carries an invalid
# "%Y年%n月%j日" and therefore rejects the way Chinese clerks write dates.
DATE_FORMAT = "Y年n月j日"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "m月j日"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-03-05
    "%Y/%m/%d",  # 2026/3/5 (strptime accepts single digits)
    "%Y年%m月%d日",  # 2026年3月5日
    "%Y.%m.%d",  # 2026.3.5
    "%Y%m%d",  # 20260305
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
