"""The HTML checker of the testing kit and the SVG chart helpers of the report."""

from __future__ import annotations

import pytest

from ssl_core.report import line_chart, scatter_chart
from ssl_core.report.svg import nice_ticks
from ssl_core.testing import html_problems

PAGE = "<!DOCTYPE html><html><head><title>t</title></head><body>{}</body></html>"


def test_a_clean_page_has_no_problem():
    body = '<div id="a"><p>x &lt; y</p><img src="data:image/png;base64,AAAA" alt=""><br><a href="#a">up</a></div>'
    assert html_problems(PAGE.format(body)) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<div><p>a</div>", "</div> closes <p>"),
        ("<div>", "</body> closes <div> opened on line 1"),
        ("</span>", "</span> closes nothing"),
        ('<img src="http://example.org/x.png">', "loads a resource at view time"),
        ('<a href="//cdn.example.org/x.css">x</a>', "loads a resource at view time"),
        ('<link rel="stylesheet" href="style.css">', "loads a resource at view time"),
        ("<style>@import 'x.css';</style>", "<style> refers to an external resource"),
        ('<div style="background:url(http://x/y.png)"></div>', "style refers to an external resource"),
        ('<i id="a"></i><i id="a"></i>', "duplicate id 'a'"),
    ],
)
def test_problems_are_found(body, problem):
    assert any(problem in p for p in html_problems(PAGE.format(body))), html_problems(PAGE.format(body))


def test_doctype_title_and_closed_elements_are_required():
    assert html_problems("<html><body></body></html>") == ["no <!DOCTYPE html>", "no <title>"]
    assert html_problems("<!DOCTYPE html><title>t</title><div>") == ["<div> opened on line 1 is never closed"]


def test_nice_ticks():
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0] or nice_ticks(0.0, 1.0)[
        -1
    ] == pytest.approx(1.0)
    assert nice_ticks(3.0, 3.0) == [3.0]
    ticks = nice_ticks(-7.3, 123.0)
    assert ticks[0] >= -7.3 and ticks[-1] <= 123.0 and len(ticks) >= 3
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1 and steps.pop() in (20.0, 25.0, 50.0)


def test_charts_are_escaped_well_formed_and_skip_non_finite_points():
    svg = line_chart("a <b>", {"x<1": ([1, 2, 3], [1.0, float("nan"), 3.0]), "y": ([1, 2], [2.0, 2.5])})
    assert "a &lt;b&gt;" in svg and "x&lt;1" in svg and "nan" not in svg
    assert svg.count("<polyline") == 2
    assert html_problems(PAGE.format(svg)) == []
    assert line_chart("empty", {"x": ([1.0], [float("inf")])}) == ""
    assert "(log scale)" in line_chart("wide", {"x": ([1, 2, 3], [1.0, 10.0, 1000.0])})
    dots = scatter_chart("s", [(0.0, 0.0), (1.0, 1.0), (2.0, 0.5)], ["a", "b", "a"])
    assert dots.count("<circle") == 3 + 2  # points + legend
    assert html_problems(PAGE.format(dots)) == []
