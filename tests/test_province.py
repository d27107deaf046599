"""A province's scale: what was made quicker for it still says exactly the same."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from govscore.report.render import json_text, rows_text


def test_rows_text_is_the_same_json_value_one_row_a_line():
    payload = {
        "year": 2023,
        "months": ["2023-01", "2023-02"],
        "departments": [
            {"rank": 1, "department": "济南市东城县公安局", "total": Decimal("99.125")},
            {"rank": 2, "department": 'a "quoted"\nname', "vetoes": [], "on": date(2023, 5, 1)},
        ],
        "problems": [],
        "referrals": [{"entry": "2023-03-0012", "to": "纪检监察机关"}],
        "revision": None,
    }
    text = rows_text(payload)
    assert json.loads(text) == json.loads(json_text(payload))
    lines = text.splitlines()
    # Each department whole on a line of its own (the quoted newline stays escaped).
    assert lines[7] == '    {"rank": 1, "department": "济南市东城县公安局", "total": 99.13},'
    assert lines[8].startswith('    {"rank": 2, "department": "a \\"quoted\\"\\nname"')
    assert lines[0] == "{" and lines[-1] == "}"
    assert rows_text({}) == "{\n}" and json.loads(rows_text({})) == {}
