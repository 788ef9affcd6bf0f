from __future__ import annotations

import io
import json

from services.classifier.batch import label_lines
from services.classifier.labeler import Labeler


def test_label_lines_good_and_bad(labeler: Labeler) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "Russian warplanes bombed Idlib.", "title": "Strikes in Syria", "extra": 1}),
        "{not json",
        json.dumps({"id": "a2", "title": "no text here"}),
        "",
        json.dumps({"id": 3, "text": "Protesters rallied in Paris."}),
        json.dumps(["not", "an", "object"]),
    ]
    errors = io.StringIO()
    out = [json.loads(line) for line in label_lines(lines, labeler, errors)]

    assert [o["id"] for o in out] == ["a1", 3]
    assert set(out[0]) == {"id", "language", "theaters", "actors", "events"}
    assert out[0]["theaters"][0]["country_code"] == "SY"
    assert out[0]["events"][0]["sub_event_type"] == "Air/drone strike"
    assert out[1]["events"][0]["sub_event_type"] == "Peaceful protest"

    reported = errors.getvalue().splitlines()
    assert len(reported) == 3
    assert reported[0].startswith("line 2: invalid JSON")
    assert reported[1] == "line 3: missing 'text'"
    assert reported[2].startswith("line 6: expected a JSON object")
