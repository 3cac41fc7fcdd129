from pathlib import Path

from ssl_core.evaluation import ComparisonRow, DemoResult, format_comparison


def test_format_comparison_table():
    rows = [
        ComparisonRow("time-of-day", "acc", (0.8, 0.01), (0.5, 0.02), True, {"seeds": 3}),
        ComparisonRow("capacity", "rmse", (0.3, 0.0), (0.2, 0.0), False),
    ]
    text = format_comparison(rows)
    lines = text.splitlines()
    assert len(lines) == 4
    assert "0.8000 +- 0.0100" in lines[2] and "+0.3000" in lines[2] and "| yes" in lines[2]
    assert "| no" in lines[3] and "lower is better" in lines[3]
    assert "seeds=3" in lines[2]
    assert len({len(line) for line in lines}) == 1
    assert rows[1].ssl_wins is False and rows[0].ssl_wins is True
    res = DemoResult("traffic", rows, Path("runs/x"))
    assert res.format().startswith("traffic demo (runs/x)")
