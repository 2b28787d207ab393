//! The terminal preview of a document: the same blocks as the PDF, as lines of text
//! (tables in columns, trend charts as sparklines), so staff check before printing.

use unicode_width::UnicodeWidthStr;

use super::document::{Block, Chart, Document, Table};

/// Display width of a string (CJK characters count two).
fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Wraps `text` to `max` columns with the one line breaker (UAX #14) the PDF and
/// the terminal use.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    crate::linebreak::wrap(text, max.max(8) as f32, |piece| width(piece) as f32)
}

fn pad(text: &str, columns: usize, right: bool) -> String {
    let mut cut = String::new();
    for c in text.chars() {
        if width(&cut) + width(c.encode_utf8(&mut [0; 4])) > columns {
            break;
        }
        cut.push(c);
    }
    let fill = " ".repeat(columns.saturating_sub(width(&cut)));
    if right {
        format!("{fill}{cut}")
    } else {
        format!("{cut}{fill}")
    }
}

fn table(t: &Table, total: usize, out: &mut Vec<String>) {
    let shares: f32 = t.columns.iter().map(|c| c.share).sum::<f32>().max(0.01);
    let gaps = t.columns.len().saturating_sub(1);
    let room = total.saturating_sub(gaps).max(t.columns.len() * 4);
    let widths: Vec<usize> = t
        .columns
        .iter()
        .map(|c| ((c.share / shares) * room as f32).floor().max(3.0) as usize)
        .collect();
    let row = |cells: Vec<(&str, bool)>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|((text, right), w)| pad(text, *w, *right))
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end()
            .to_string()
    };
    out.push(row(t
        .columns
        .iter()
        .map(|c| (c.title.as_str(), c.align_right))
        .collect()));
    out.push("─".repeat(widths.iter().sum::<usize>() + gaps));
    for cells in &t.rows {
        let mut line = row(cells
            .iter()
            .zip(&t.columns)
            .map(|(cell, c)| (cell.text.as_str(), c.align_right))
            .collect());
        if cells.iter().any(|c| c.alert) {
            line.push_str(" !");
        }
        out.push(line);
    }
}

/// `▁▂▅▇` for the values of a chart, with its first and last value.
fn sparkline(chart: &Chart) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let values: Vec<f64> = chart.points.iter().map(|(_, v)| *v).collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let span = (hi - lo).max(f64::EPSILON);
    let line: String = values
        .iter()
        .map(|v| BARS[(((v - lo) / span) * 7.0).round() as usize])
        .collect();
    let d = usize::from(chart.decimals);
    let first = values.first().copied().unwrap_or_default();
    let last = values.last().copied().unwrap_or_default();
    format!(
        "{} ({}): {first:.d$} {line} {last:.d$}",
        chart.title, chart.unit
    )
}

/// The document as lines at most `columns` wide.
pub fn lines(document: &Document, columns: usize) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(document.letterhead.iter().cloned());
    out.push(document.title.clone());
    out.push(document.confidential.clone());
    for block in &document.blocks {
        match block {
            Block::Heading(text) => {
                out.push(String::new());
                out.push(text.clone());
                out.push("═".repeat(width(text).min(columns)));
            }
            Block::Fields(fields) => {
                let label = fields.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
                for (k, v) in fields {
                    let head = pad(k, label, false);
                    for (i, line) in wrap(v, columns.saturating_sub(label + 2))
                        .iter()
                        .enumerate()
                    {
                        let lead = if i == 0 {
                            head.clone()
                        } else {
                            " ".repeat(label)
                        };
                        out.push(format!("{lead}  {line}"));
                    }
                }
            }
            Block::Table(t) => table(t, columns, &mut out),
            Block::Paragraph(text) => out.extend(wrap(text, columns)),
            Block::Note(text) => out.extend(wrap(text, columns)),
            Block::Bullets(items) => {
                for item in items {
                    for (i, line) in wrap(item, columns.saturating_sub(2)).iter().enumerate() {
                        let lead = if i == 0 { "• " } else { "  " };
                        out.push(format!("{lead}{line}"));
                    }
                }
            }
            Block::Charts(charts) => out.extend(charts.iter().map(sparkline)),
            Block::Signature(labels) => {
                out.push(String::new());
                out.push(
                    labels
                        .iter()
                        .map(|l| format!("{l}: ____________"))
                        .collect::<Vec<_>>()
                        .join("    "),
                );
            }
        }
    }
    out.push(String::new());
    out.push(document.printed.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_chinese_within_the_width() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", 12);
        assert!(lines.iter().all(|l| width(l) <= 12), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "the quick brown fox jumps over the lazy dog"
        );
        let lines = wrap("血压控制良好，继续低盐饮食并规律运动", 10);
        assert!(lines.iter().all(|l| width(l) <= 10), "{lines:?}");
        assert_eq!(lines.concat(), "血压控制良好，继续低盐饮食并规律运动");
    }
}
