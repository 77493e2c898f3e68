"""The units reports use: areas in 万平方米 and money in 万元.

The rounding rule itself lives in ``core.figures``; this module keeps its old names.
"""

from core.figures import CENT, TEN_THOUSAND, wan

__all__ = ["CENT", "TEN_THOUSAND", "wan"]
