//! Drawing the results screen: indicators with their latest value and trend on the left; the
//! selected indicator's chart (reference band as two lines) and its values on the
//! right, or up to three charts side by side. Only the visible rows are built.

use chrono::DateTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Chart, Dataset, GraphType, LegendPosition, Paragraph, Wrap,
};

use super::ResultsScreen;
use crate::domain::trend::{Series, Trend};
use crate::tui::app::App;
use crate::tui::screens::Cursor;
use crate::tui::view::windowed_table;

fn date(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn year(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y").to_string())
        .unwrap_or_default()
}

fn number(value: f64, decimals: u8) -> String {
    format!("{value:.*}", usize::from(decimals))
}

fn signed(value: f64, decimals: u8) -> String {
    format!("{value:+.*}", usize::from(decimals))
}

fn arrow(trend: Option<Trend>) -> &'static str {
    match trend {
        Some(Trend::Rising) => "↑",
        Some(Trend::Falling) => "↓",
        Some(Trend::Stable) => "→",
        None => " ",
    }
}

fn trend_text(app: &App, trend: Option<Trend>) -> String {
    match trend {
        Some(Trend::Rising) => app.t("results.rising"),
        Some(Trend::Falling) => app.t("results.falling"),
        Some(Trend::Stable) => app.t("results.stable"),
        None => app.t("results.too_few"),
    }
}

fn band(series: &Series) -> String {
    match (series.low, series.high) {
        (Some(l), Some(h)) => format!(
            "{}–{}",
            number(l, series.decimals),
            number(h, series.decimals)
        ),
        (Some(l), None) => format!("≥{}", number(l, series.decimals)),
        (None, Some(h)) => format!("≤{}", number(h, series.decimals)),
        (None, None) => "—".into(),
    }
}

/// The chart of one series, with the reference band and the selected result marked.
fn chart(
    frame: &mut Frame<'_>,
    area: Rect,
    app: &App,
    series: &Series,
    selected: Option<usize>,
    title: bool,
) {
    let points: Vec<(f64, f64)> = series
        .points
        .iter()
        .map(|p| (p.taken_at as f64, p.value))
        .collect();
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let (x0, x1) = if last > first {
        (first, last)
    } else {
        (first - 86_400.0, first + 86_400.0)
    };
    let mut lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    for bound in [series.low, series.high].into_iter().flatten() {
        lo = lo.min(bound);
        hi = hi.max(bound);
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.02).max(0.1);
    let (y0, y1) = (lo - pad, hi + pad);
    let low_line = series
        .low
        .map(|l| vec![(x0, l), (x1, l)])
        .unwrap_or_default();
    let high_line = series
        .high
        .map(|h| vec![(x0, h), (x1, h)])
        .unwrap_or_default();
    let mark: Vec<(f64, f64)> = selected
        .and_then(|i| points.get(i).copied())
        .into_iter()
        .collect();
    let mut datasets = vec![
        Dataset::default()
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Line)
            .style(app.theme.label())
            .data(&low_line),
        Dataset::default()
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Line)
            .style(app.theme.label())
            .data(&high_line),
        Dataset::default()
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Line)
            .style(app.theme.title())
            .data(&points),
    ];
    if !mark.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(symbols::Marker::Block)
                .graph_type(GraphType::Scatter)
                .style(app.theme.focus())
                .data(&mark),
        );
    }
    let mut block = Block::default().borders(Borders::NONE);
    if title {
        // Cut to the chart's width, so the next chart's title is not run into.
        let name = truncate(&series.name, area.width.saturating_sub(1) as usize);
        block = block.title(Span::styled(name, app.theme.title()));
    }
    // Side by side, only the years fit under each chart.
    let label = if title { year } else { date };
    let chart = Chart::new(datasets)
        .block(block)
        .legend_position(None::<LegendPosition>)
        .x_axis(
            Axis::default()
                .bounds([x0, x1])
                .labels([label(x0 as i64), label(x1 as i64)]),
        )
        .y_axis(
            Axis::default()
                .bounds([y0, y1])
                .labels([number(y0, series.decimals), number(y1, series.decimals)]),
        );
    frame.render_widget(chart, area);
}

/// The selected series: a summary line, the chart, the table of values.
fn detail(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &ResultsScreen, series: &Series) {
    let latest = series.latest().map(|p| p.value).unwrap_or_default();
    let d = series.decimals;
    let mut summary = vec![Span::styled(
        format!(
            "{} ({}) ",
            series.name,
            crate::domain::ucum::human_in(&series.unit, app.locale.lang)
        ),
        app.theme.title(),
    )];
    summary.push(Span::raw(
        app.locale.tf(
            "results.summary",
            &[
                ("latest", &number(latest, d)),
                (
                    "previous",
                    &series
                        .change_since_previous()
                        .map(|c| signed(c, d))
                        .unwrap_or("—".into()),
                ),
                (
                    "first",
                    &series
                        .change_since_first()
                        .map(|c| signed(c, d))
                        .unwrap_or("—".into()),
                ),
                (
                    "trend",
                    &format!(
                        "{} {}",
                        arrow(series.trend()),
                        trend_text(app, series.trend())
                    ),
                ),
                ("band", &band(series)),
            ],
        ),
    ));
    if series.withdrawn > 0 {
        summary.push(Span::styled(
            app.locale.tf(
                "results.withdrawn",
                &[("count", &series.withdrawn.to_string())],
            ),
            app.theme.warning(),
        ));
    }
    if series.unconverted > 0 {
        summary.push(Span::styled(
            app.locale.tf(
                "results.unconverted",
                &[("count", &series.unconverted.to_string())],
            ),
            app.theme.warning(),
        ));
    }
    let table_rows = (series.points.len() as u16 + 1).min(area.height / 3).max(3);
    let head_height = if area.width < 90 { 3 } else { 2 };
    let [head, plot, table] = Layout::vertical([
        Constraint::Length(head_height),
        Constraint::Min(4),
        Constraint::Length(table_rows),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(summary)).wrap(Wrap { trim: true }),
        head,
    );
    let selected = screen.point.unwrap_or(series.points.len() - 1);
    chart(frame, plot, app, series, Some(selected), false);
    // Newest first; the selected result highlighted.
    let n = series.points.len();
    let headers = vec![
        app.t("results.date"),
        app.t("results.value"),
        app.t("results.change"),
        app.t("results.flag"),
    ];
    let widths = [
        Constraint::Length(12),
        Constraint::Length(12),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    let cells = |row: usize| {
        let i = n - 1 - row;
        let p = &series.points[i];
        let change = (i > 0).then(|| signed(p.value - series.points[i - 1].value, d));
        let flag = if series.high.is_some_and(|h| p.value > h) {
            app.t("results.high")
        } else if series.low.is_some_and(|l| p.value < l) {
            app.t("results.low")
        } else if p.abnormal {
            app.t("results.abnormal")
        } else {
            String::new()
        };
        let flag = if p.preliminary {
            format!("{flag} {}", app.t("results.preliminary"))
                .trim()
                .to_string()
        } else {
            flag
        };
        let marker = if i == selected { "▸" } else { " " };
        vec![
            format!("{marker}{}", date(p.taken_at)),
            number(p.value, d),
            change.unwrap_or_default(),
            flag,
        ]
    };
    let cursor = Cursor {
        selected: n - 1 - selected,
        offset: 0,
    };
    windowed_table(frame, table, app, (headers, &widths), cursor, (n, &cells));
}

pub(super) fn results(frame: &mut Frame<'_>, area: Rect, app: &App, screen: &ResultsScreen) {
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        app.locale.tf("results.title", &[("name", &screen.name)]),
        app.theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let message = match (&screen.error, &screen.notice) {
        (Some(e), _) => Some(Line::styled(e.clone(), app.theme.error())),
        (None, Some(n)) => Some(Line::styled(n.clone(), app.theme.notice())),
        _ => None,
    };
    let form_height = if screen.add_form.is_some() { 6 } else { 0 };
    let [main, form_area, bottom] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(form_height),
        Constraint::Length(u16::from(message.is_some())),
    ])
    .areas(inner);
    if let Some(message) = message {
        frame.render_widget(Paragraph::new(message), bottom);
    }
    if let Some(form) = &screen.add_form {
        add_form(frame, form_area, app, form);
    }
    let Some(observations) = &screen.observations else {
        frame.render_widget(Paragraph::new(app.t("common.working")), main);
        return;
    };
    if screen.series.is_empty() {
        let text = if observations.is_empty() {
            app.t("results.none")
        } else {
            app.locale.tf(
                "results.only_text",
                &[("count", &screen.other.len().to_string())],
            )
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), main);
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Length(28), Constraint::Min(20)]).areas(main);
    let height = left.height as usize;
    let mut cursor = screen.cursor;
    cursor.scroll_into_view(height);
    let lines: Vec<Line> = screen
        .series
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(height)
        .map(|(i, s)| {
            let latest = s
                .latest()
                .map(|p| number(p.value, s.decimals))
                .unwrap_or_default();
            let flag = if s.latest().is_some_and(|p| p.abnormal) {
                "!"
            } else {
                " "
            };
            let marked = if screen.compare.contains(&i) {
                "+"
            } else {
                " "
            };
            let name = crate::tui::view::pad(&s.name, 14);
            let name: String = truncate(&name, 14);
            let text = format!("{marked}{name} {latest:>7}{flag}{}", arrow(s.trend()));
            if i == screen.cursor.selected {
                Line::styled(text, app.theme.selected())
            } else {
                Line::from(text)
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::RIGHT)),
        left,
    );
    let right = Rect {
        x: right.x + 1,
        width: right.width.saturating_sub(1),
        ..right
    };
    if screen.compare.len() >= 2 {
        // A column between charts: titles and year labels never run together.
        let constraints = vec![Constraint::Fill(1); screen.compare.len()];
        let areas = Layout::horizontal(constraints).spacing(1).split(right);
        for (area, i) in areas.iter().zip(&screen.compare) {
            if let Some(series) = screen.series.get(*i) {
                chart(frame, *area, app, series, None, true);
            }
        }
    } else if let Some(series) = screen.series.get(screen.cursor.selected) {
        detail(frame, right, app, screen, series);
    }
}

/// Cuts a string to `columns` display columns.
fn truncate(text: &str, columns: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > columns {
            break;
        }
        width += w;
        out.push(c);
    }
    crate::tui::view::pad(&out, columns)
}

fn add_form(frame: &mut Frame<'_>, area: Rect, app: &App, form: &crate::tui::screens::Form) {
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(app.t("results.add_title"), app.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let labels = [
        app.t("results.indicator"),
        app.t("results.value"),
        app.t("results.unit"),
        app.t("results.time"),
    ];
    let [fields, message] =
        Layout::vertical([Constraint::Length(4), Constraint::Length(1)]).areas(inner);
    let width = 14u16;
    for (i, (field, label)) in form.fields.iter().zip(&labels).enumerate() {
        let y = fields.y + i as u16;
        if y >= fields.y + fields.height {
            break;
        }
        let focused = i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let style = if focused {
            app.theme.focus()
        } else {
            app.theme.label()
        };
        let row = Rect {
            y,
            height: 1,
            ..fields
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(
                    crate::tui::view::pad(&format!("{marker}{label}"), usize::from(width)),
                    style,
                ),
                field.span(),
            ])),
            row,
        );
        if focused {
            frame.set_cursor_position((row.x + width + field.cursor_columns(), y));
        }
    }
    let text = match (&form.error, form.busy) {
        (Some(e), _) => Line::styled(e.clone(), app.theme.error()),
        (None, true) => Line::styled(app.t("common.working"), app.theme.label()),
        _ => Line::styled(app.t("results.add_hint"), app.theme.label()).patch_style(Modifier::DIM),
    };
    frame.render_widget(Paragraph::new(text), message);
}
