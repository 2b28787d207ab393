//! Trend charts as vector graphics: plotters lays out the axes, ticks, grid, reference
//! band and series; a small plotters backend draws them onto the PDF page with
//! krilla, in the report's own fonts (so Chinese titles print).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
    text_anchor::{HPos, VPos},
};

use krilla::geom::PathBuilder;
use krilla::num::NormalizedF32;
use krilla::paint::Fill;
use krilla::surface::Surface;

use super::document::Chart;
use super::fonts::Fonts;

/// Plotters works in whole units: this many to a point keeps lines and text sharp.
const SCALE: f32 = 8.0;
const DAY: f64 = 86_400.0;
const INK: RGBColor = RGBColor(31, 41, 51);
const GREY: RGBColor = RGBColor(107, 114, 128);

#[derive(Debug)]
pub struct ChartError(String);

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChartError {}

/// A plotters drawing backend that draws onto a krilla surface, at `origin` on the
/// page and `size` points large.
struct PdfBackend<'s, 'a> {
    surface: &'s mut Surface<'a>,
    fonts: &'s Fonts,
    origin: (f32, f32),
    size: (f32, f32),
}

type Drawn = Result<(), DrawingErrorKind<ChartError>>;

impl PdfBackend<'_, '_> {
    fn point(&self, (x, y): BackendCoord) -> (f32, f32) {
        (
            self.origin.0 + x as f32 / SCALE,
            self.origin.1 + y as f32 / SCALE,
        )
    }

    fn fill_of(color: BackendColor) -> Fill {
        Fill {
            paint: krilla::color::rgb::Color::new(color.rgb.0, color.rgb.1, color.rgb.2).into(),
            opacity: opacity(color),
            ..Default::default()
        }
    }

    fn path(&mut self, points: &[BackendCoord], close: bool, paint: Paint) {
        let (Paint::Stroke(color, _) | Paint::Fill(color)) = paint;
        if color.alpha <= 0.0 {
            return;
        }
        let mut path = PathBuilder::new();
        for (i, p) in points.iter().enumerate() {
            let (x, y) = self.point(*p);
            if i == 0 {
                path.move_to(x, y);
            } else {
                path.line_to(x, y);
            }
        }
        if close {
            path.close();
        }
        let Some(path) = path.finish() else {
            return;
        };
        match paint {
            Paint::Stroke(color, width) => {
                let mut stroke =
                    super::pdf::stroke(color.rgb, (width.max(1) as f32 / SCALE).max(0.3));
                stroke.opacity = opacity(color);
                self.surface.set_fill(None);
                self.surface.set_stroke(Some(stroke));
                self.surface.draw_path(&path);
                self.surface.set_stroke(None);
            }
            Paint::Fill(color) => {
                self.surface.set_stroke(None);
                self.surface.set_fill(Some(Self::fill_of(color)));
                self.surface.draw_path(&path);
            }
        }
    }

    fn fill_rect(&mut self, (l, t): BackendCoord, (r, b): BackendCoord, color: BackendColor) {
        self.path(&[(l, t), (r, t), (r, b), (l, b)], true, Paint::Fill(color));
    }
}

/// How a path is painted.
enum Paint {
    Stroke(BackendColor, u32),
    Fill(BackendColor),
}

fn opacity(color: BackendColor) -> NormalizedF32 {
    NormalizedF32::new(color.alpha.clamp(0.0, 1.0) as f32).unwrap_or(NormalizedF32::ONE)
}

impl DrawingBackend for PdfBackend<'_, '_> {
    type ErrorType = ChartError;

    fn get_size(&self) -> (u32, u32) {
        ((self.size.0 * SCALE) as u32, (self.size.1 * SCALE) as u32)
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        self.fill_rect(point, (point.0 + 1, point.1 + 1), color);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        self.path(
            &[from, to],
            false,
            Paint::Stroke(style.color(), style.stroke_width()),
        );
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        if fill {
            self.fill_rect(upper_left, bottom_right, style.color());
        } else {
            let (l, t) = upper_left;
            let (r, b) = bottom_right;
            self.path(
                &[(l, t), (r, t), (r, b), (l, b)],
                true,
                Paint::Stroke(style.color(), style.stroke_width()),
            );
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        let points: Vec<BackendCoord> = path.into_iter().collect();
        self.path(
            &points,
            false,
            Paint::Stroke(style.color(), style.stroke_width()),
        );
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        let r = radius as f64;
        let points: Vec<BackendCoord> = (0..24)
            .map(|i| {
                let a = i as f64 / 24.0 * std::f64::consts::TAU;
                (
                    center.0 + (r * a.cos()).round() as i32,
                    center.1 + (r * a.sin()).round() as i32,
                )
            })
            .collect();
        if fill {
            self.fill_polygon(points, style)
        } else {
            self.path(
                &points,
                true,
                Paint::Stroke(style.color(), style.stroke_width()),
            );
            Ok(())
        }
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn {
        let points: Vec<BackendCoord> = vert.into_iter().collect();
        self.path(&points, true, Paint::Fill(style.color()));
        Ok(())
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Drawn {
        let size = style.size() as f32 / SCALE;
        let width = self.fonts.width(text, false, size);
        let (x, y) = self.point(pos);
        let x = match style.anchor().h_pos {
            HPos::Left => x,
            HPos::Center => x - width / 2.0,
            HPos::Right => x - width,
        };
        let baseline = match style.anchor().v_pos {
            VPos::Top => y + size * 0.8,
            VPos::Center => y + size * 0.35,
            VPos::Bottom => y,
        };
        let color = style.color();
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Self::fill_of(color)));
        self.fonts
            .draw(self.surface, (x, baseline), size, false, text);
        Ok(())
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<ChartError>> {
        let size = style.size() as f32 / SCALE;
        let width = self.fonts.width(text, false, size);
        Ok(((width * SCALE) as u32, (size * SCALE) as u32))
    }
}

fn chart_error<E: std::fmt::Debug>(e: E) -> String {
    format!("the trend chart could not be drawn: {e:?}")
}

/// Draws `chart` in the box `(x, y, w, h)` (points, from the page's top-left).
pub fn draw(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    (x, y, w, h): (f32, f32, f32, f32),
    chart: &Chart,
) -> Result<(), String> {
    let backend = PdfBackend {
        surface,
        fonts,
        origin: (x, y),
        size: (w, h),
    };
    let root: DrawingArea<_, Shift> = backend.into_drawing_area();
    let s = |points: f32| (points * SCALE) as u32;
    let days: Vec<(f64, f64)> = chart
        .points
        .iter()
        .map(|(at, v)| (*at as f64 / DAY, *v))
        .collect();
    let (mut x0, mut x1) = days.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (d, _)| {
        (lo.min(*d), hi.max(*d))
    });
    if x1 - x0 < 1.0 {
        x0 -= 15.0;
        x1 += 15.0;
    }
    let pad = (x1 - x0) * 0.04;
    let (x0, x1) = (x0 - pad, x1 + pad);
    let values = days
        .iter()
        .map(|(_, v)| *v)
        .chain(chart.low)
        .chain(chart.high);
    let (mut lo, mut hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let margin = ((hi - lo) * 0.12).max(hi.abs() * 0.02).max(0.1);
    lo -= margin;
    hi += margin;
    let title = if chart.unit.is_empty() {
        chart.title.clone()
    } else {
        format!("{} ({})", chart.title, chart.unit)
    };
    let grey = GREY;
    let text = |size: f32, colour: &'static RGBColor| {
        TextStyle::from(("sans-serif", f64::from(size * SCALE)).into_font()).color(colour)
    };
    let mut plot = ChartBuilder::on(&root)
        .caption(title, text(9.0, &INK))
        .margin(s(4.0))
        .x_label_area_size(s(14.0))
        .y_label_area_size(s(30.0))
        .build_cartesian_2d(x0..x1, lo..hi)
        .map_err(chart_error)?;
    if chart.low.is_some() || chart.high.is_some() {
        let low = chart.low.unwrap_or(lo).max(lo);
        let high = chart.high.unwrap_or(hi).min(hi);
        plot.draw_series(std::iter::once(Rectangle::new(
            [(x0, low), (x1, high)],
            RGBColor(209, 250, 229).mix(0.8).filled(),
        )))
        .map_err(chart_error)?;
    }
    let decimals = usize::from(chart.decimals);
    let format_day = |d: &f64| {
        chrono::DateTime::from_timestamp((*d * DAY) as i64, 0)
            .map(|t| t.format("%Y-%m").to_string())
            .unwrap_or_default()
    };
    let format_value = |v: &f64| format!("{v:.decimals$}");
    plot.configure_mesh()
        .x_labels(4)
        .y_labels(5)
        .x_label_formatter(&format_day)
        .y_label_formatter(&format_value)
        .label_style(text(6.5, &GREY))
        .axis_style(ShapeStyle::from(grey).stroke_width(s(0.6)))
        .bold_line_style(ShapeStyle::from(RGBColor(226, 232, 240)).stroke_width(s(0.4)))
        .light_line_style(ShapeStyle::from(WHITE.mix(0.0)))
        .draw()
        .map_err(chart_error)?;
    let line = RGBColor(37, 99, 235);
    plot.draw_series(LineSeries::new(
        days.iter().copied(),
        ShapeStyle::from(line).stroke_width(s(1.2)),
    ))
    .map_err(chart_error)?;
    let alert = RGBColor(185, 28, 28);
    plot.draw_series(days.iter().map(|&(d, v)| {
        let outside = chart.high.is_some_and(|h| v > h) || chart.low.is_some_and(|l| v < l);
        Circle::new((d, v), s(1.8), if outside { alert } else { line }.filled())
    }))
    .map_err(chart_error)?;
    root.present().map_err(chart_error)?;
    Ok(())
}
