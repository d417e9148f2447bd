"""The bar charts' layout: bars in proportion, stacked segments end to end, a missing
figure drawn as a dash, long names shortened but kept whole in the tooltip."""

from __future__ import annotations

from coordinator.cases.reports.charts import LABEL_CHARS, PLOT_WIDTH, Series, bars, nice_ceiling

TWO = (Series("接收任务", "#2f6db5"), Series("办结任务", "#1e8a4c"))


def test_nice_ceilings():
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 3, 7, 10, 11, 43)] == [
        1,
        0.5,
        1,
        5,
        10,
        10,
        20,
        50,
    ]


def test_grouped_bars_are_in_proportion_on_whole_ticks():
    chart = bars("k", "各部门", TWO, [("房办", (8, 4)), ("城管", (2, None))])
    housing, urban = chart.rows
    assert [b.segments[0].width for b in housing.bars] == [PLOT_WIDTH, PLOT_WIDTH / 2]
    assert urban.bars[0].segments[0].width == PLOT_WIDTH / 4
    assert urban.bars[1].segments == () and urban.bars[1].value == "—"
    assert [t.text for t in chart.ticks] == ["0", "2", "4", "6", "8"]
    assert housing.bars[1].y == housing.bars[0].y + chart.bar  # one bar per series
    assert urban.y > housing.bars[1].y


def test_stacked_segments_follow_each_other_and_the_bar_says_the_sum():
    chart = bars("k", "楼宇", TWO, [("华山大楼", (3, 1)), ("长乐公寓", (0, 2))], stacked=True)
    tower, court = chart.rows
    [bar] = tower.bars
    first, second = bar.segments
    assert second.x == first.x + first.width and bar.value == "4"
    assert (first.series, first.value) == ("接收任务", "3")
    assert len(court.bars[0].segments) == 1  # nothing drawn for a zero


def test_a_percentage_chart_has_a_fixed_top_and_long_names_are_shortened():
    name = "华山路街道城市管理综合执法中队"
    chart = bars("k", "按时率", TWO[:1], [(name, (50,))], top=100, shown=lambda v: f"{v:g}%")
    [row] = chart.rows
    assert row.bars[0].segments[0].width == PLOT_WIDTH / 2
    assert row.bars[0].value == "50%"
    assert row.label == name[: LABEL_CHARS - 1] + "…" and row.full_label == name
    assert [t.text for t in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_no_rows_is_an_empty_chart():
    assert bars("k", "无", TWO, []).rows == ()
