"""Words by which a reply says what it plans or will do, not what is done ("计划", "将", "下一步", "争取")."""

from __future__ import annotations

import re

PLAN = re.compile(r"将|下一|考虑|计划|拟|争取")
