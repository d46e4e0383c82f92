//! Shared drawing: sizes in points, the title/legend/note frame around a plot, axes with chosen
//! ticks and formatted labels, and the empty state.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use std::cell::RefCell;

use super::error::{Error, Result};
use super::geometry::{Geometry, PanelData, SeriesColour, TextBox};
use super::render::{FONT_FAMILY, draw_err};
use super::style::{Output, Theme};

/// Plotters font sizes are the font's full height; an em is about this much smaller.
const EM_PER_SIZE: f64 = 1.24;

/// Theme and output resolution: everything needed to turn points into pixels.
pub(super) struct Ctx<'a> {
    /// The theme.
    pub theme: &'a Theme,
    /// Dots per inch.
    pub dpi: f64,
    /// What has been drawn so far: tick labels, series colours, panels.
    pub geometry: RefCell<Geometry>,
}

impl<'a> Ctx<'a> {
    pub fn new(theme: &'a Theme, output: &Output) -> Self {
        Ctx {
            theme,
            dpi: output.dpi,
            geometry: RefCell::new(Geometry::default()),
        }
    }

    /// Records a tick label drawn in the box `(x0, y0)`–`(x1, y1)`.
    pub fn record_tick(&self, text: &str, (x0, y0): (i32, i32), (x1, y1): (i32, i32)) {
        self.geometry.borrow_mut().tick_labels.push(TextBox {
            text: text.to_string(),
            x0,
            y0,
            x1,
            y1,
        });
    }

    /// Records a series told apart by `color` (as it appears on the background).
    pub fn record_series(&self, label: &str, color: RGBColor) {
        self.geometry.borrow_mut().series.push(SeriesColour {
            label: label.to_string(),
            rgb: (color.0, color.1, color.2),
        });
    }

    /// Records a plot panel holding `points` data points.
    pub fn record_panel(&self, name: &str, points: usize) {
        self.geometry.borrow_mut().panels.push(PanelData {
            name: name.to_string(),
            points,
        });
    }

    /// The x axis label to draw: the figure's own (from the theme) when set and `label` is not
    /// empty (an empty label stays empty: the panel shares its axis with others).
    pub fn x_label(&self, label: &str) -> String {
        match &self.theme.text.x_label {
            Some(l) if !label.is_empty() => l.clone(),
            _ => label.to_string(),
        }
    }

    /// The y axis label to draw (see [`Ctx::x_label`]).
    pub fn y_label(&self, label: &str) -> String {
        match &self.theme.text.y_label {
            Some(l) if !label.is_empty() => l.clone(),
            _ => label.to_string(),
        }
    }

    /// `color` at opacity `alpha` as it appears on the background.
    pub fn blend(&self, color: RGBColor, alpha: f64) -> RGBColor {
        let bg = self.theme.background;
        let mix = |c: u8, b: u8| (c as f64 * alpha + b as f64 * (1.0 - alpha)).round() as u8;
        RGBColor(mix(color.0, bg.0), mix(color.1, bg.1), mix(color.2, bg.2))
    }

    /// Points to pixels.
    pub fn px(&self, pt: f64) -> f64 {
        pt * self.dpi / 72.0
    }

    /// Points to whole pixels (at least 1).
    pub fn pxi(&self, pt: f64) -> i32 {
        self.px(pt).round().max(1.0) as i32
    }

    /// A regular text style of `pt` points in the ink colour.
    pub fn font(&self, pt: f64) -> TextStyle<'static> {
        (FONT_FAMILY, self.px(pt) * EM_PER_SIZE)
            .into_font()
            .color(&self.theme.ink)
    }

    /// A bold text style.
    pub fn bold(&self, pt: f64) -> TextStyle<'static> {
        (FONT_FAMILY, self.px(pt) * EM_PER_SIZE, FontStyle::Bold)
            .into_font()
            .color(&self.theme.ink)
    }

    /// A muted text style (subtitles, notes).
    pub fn muted(&self, pt: f64) -> TextStyle<'static> {
        (FONT_FAMILY, self.px(pt) * EM_PER_SIZE)
            .into_font()
            .color(&self.theme.muted)
    }

    /// A stroke of `pt` points.
    pub fn stroke(&self, color: RGBColor, pt: f64) -> ShapeStyle {
        color.stroke_width(self.pxi(pt) as u32)
    }

    /// The height of one line of text of `pt` points, with spacing.
    pub fn line_height(&self, pt: f64) -> i32 {
        (self.px(pt) * 1.45).ceil() as i32
    }
}

/// Width of `text` in pixels (0 when it cannot be measured).
pub(super) fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> i32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        .unwrap_or(0)
}

/// A legend entry's symbol.
#[derive(Clone, Debug)]
pub(super) enum Swatch {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A translucent band of the given opacity.
    Band(RGBColor, f64),
    /// A filled box.
    Box(RGBColor),
    /// A point.
    Dot(RGBColor),
    /// A point with a horizontal interval.
    Interval(RGBColor),
}

/// One legend entry.
#[derive(Clone, Debug)]
pub(super) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn new(label: impl Into<String>, swatch: Swatch) -> Self {
        LegendItem {
            label: label.into(),
            swatch,
        }
    }
}

/// Title, subtitle, legend and note around the plot area.
#[derive(Clone, Debug, Default)]
pub(super) struct Frame {
    pub title: String,
    pub subtitle: Option<String>,
    pub legend: Vec<LegendItem>,
    pub note: Option<String>,
}

/// Draws a line of text, shrinking it to fit `max_w` (down to 70%) and cutting it with an
/// ellipsis if it still does not fit. Returns the height used.
fn fitted_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    text: &str,
    (x, y): (i32, i32),
    max_w: i32,
    pt: f64,
    style: impl Fn(f64) -> TextStyle<'static>,
) -> Result<i32> {
    let mut size = pt;
    let mut st = style(size);
    while text_width(root, text, &st) > max_w && size > pt * 0.7 {
        size *= 0.95;
        st = style(size);
    }
    let mut chars: Vec<char> = text.chars().collect();
    let mut shown = text.to_string();
    while text_width(root, &shown, &st) > max_w && chars.len() > 4 {
        chars.pop();
        shown = format!("{}…", chars.iter().collect::<String>().trim_end());
    }
    root.draw(&Text::new(
        shown,
        (x, y),
        st.pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .map_err(draw_err)?;
    Ok(ctx.line_height(size))
}

/// `text` cut with an ellipsis to fit `max_w` pixels (at least its first character and `…`).
pub(super) fn shorten<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> String {
    if text_width(area, text, style) <= max_w {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        chars.pop();
        let shown = format!("{}…", chars.iter().collect::<String>().trim_end());
        if chars.len() <= 1 || text_width(area, &shown, style) <= max_w {
            return shown;
        }
    }
}

/// Splits `text` into at most `max_lines` lines no wider than `max_w` (the last line takes the
/// rest and is shortened when drawn).
fn wrap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if !current.is_empty()
            && text_width(root, &candidate, style) > max_w
            && lines.len() + 1 < max_lines
        {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Draws the frame on `root` (white background) and returns the area left for the plot.
pub(super) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    frame: &Frame,
) -> Result<DrawingArea<DB, Shift>> {
    let t = ctx.theme;
    root.fill(&t.background).map_err(draw_err)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    {
        let mut g = ctx.geometry.borrow_mut();
        g.width = w as u32;
        g.height = h as u32;
    }
    let m = ctx.pxi(t.margin_pt);
    let inner_w = (w - 2 * m).max(1);
    let mut y = m;
    let title = t.text.title.as_deref().unwrap_or(&frame.title);
    if !title.is_empty() {
        for line in wrap(root, title, &ctx.bold(t.title_pt), inner_w, 2) {
            y += fitted_text(root, ctx, &line, (m, y), inner_w, t.title_pt, |s| {
                ctx.bold(s)
            })?;
        }
    }
    if let Some(sub) = &frame.subtitle {
        for line in wrap(root, sub, &ctx.muted(t.subtitle_pt), inner_w, 2) {
            y += fitted_text(root, ctx, &line, (m, y), inner_w, t.subtitle_pt, |s| {
                ctx.muted(s)
            })?;
        }
    }
    if !frame.legend.is_empty() {
        y += ctx.pxi(2.0);
        y += legend(root, ctx, &frame.legend, (m, y), inner_w)?;
    }
    y += ctx.pxi(4.0);
    let mut bottom = h - m;
    if let Some(note) = &frame.note {
        let lh = ctx.line_height(t.subtitle_pt);
        let lines = wrap(root, note, &ctx.muted(t.subtitle_pt), inner_w, 3);
        bottom -= lh * lines.len() as i32;
        for (i, line) in lines.iter().enumerate() {
            fitted_text(
                root,
                ctx,
                line,
                (m, bottom + lh * i as i32),
                inner_w,
                t.subtitle_pt,
                |s| ctx.muted(s),
            )?;
        }
        bottom -= ctx.pxi(2.0);
    }
    let plot_h = (bottom - y).max(1);
    Ok(root.clone().shrink((m, y), (inner_w, plot_h)))
}

/// Lays the legend out left to right, wrapping at `max_w`; returns its height.
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    items: &[LegendItem],
    (x0, y0): (i32, i32),
    max_w: i32,
) -> Result<i32> {
    let pt = ctx.theme.legend_pt;
    let style = ctx.font(pt);
    let lh = ctx.line_height(pt);
    let sw = ctx.pxi(pt * 2.2);
    let gap = ctx.pxi(pt * 0.5);
    let spacing = ctx.pxi(pt * 1.5);
    let (mut x, mut y) = (x0, y0);
    for item in items {
        let shown = match item.swatch {
            Swatch::Band(c, a) => ctx.blend(c, a),
            Swatch::Line(c)
            | Swatch::Dashed(c)
            | Swatch::Box(c)
            | Swatch::Dot(c)
            | Swatch::Interval(c) => c,
        };
        ctx.record_series(&item.label, shown);
        // A label wider than the whole line is shortened, never drawn past the figure's edge.
        let label = shorten(root, &item.label, &style, (max_w - sw - gap).max(1));
        let tw = text_width(root, &label, &style);
        let need = sw + gap + tw;
        if x > x0 && x + need > x0 + max_w {
            x = x0;
            y += lh;
        }
        swatch(root, ctx, &item.swatch, (x, y + lh / 2), sw)?;
        root.draw(&Text::new(
            label,
            (x + sw + gap, y + lh / 2),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
        x += need + spacing;
    }
    Ok(y - y0 + lh)
}

fn swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    s: &Swatch,
    (x, yc): (i32, i32),
    w: i32,
) -> Result<()> {
    let lw = ctx.theme.line_pt;
    let half = (ctx.px(ctx.theme.legend_pt) * 0.45).round() as i32;
    match *s {
        Swatch::Line(c) => root
            .draw(&PathElement::new(
                vec![(x, yc), (x + w, yc)],
                ctx.stroke(c, lw),
            ))
            .map_err(draw_err),
        Swatch::Dashed(c) => {
            let dash = (w / 5).max(2);
            let mut sx = x;
            while sx < x + w {
                let ex = (sx + dash).min(x + w);
                root.draw(&PathElement::new(
                    vec![(sx, yc), (ex, yc)],
                    ctx.stroke(c, lw),
                ))
                .map_err(draw_err)?;
                sx += 2 * dash;
            }
            Ok(())
        }
        Swatch::Band(c, a) => root
            .draw(&Rectangle::new(
                [(x, yc - half), (x + w, yc + half)],
                c.mix(a).filled(),
            ))
            .map_err(draw_err),
        Swatch::Box(c) => root
            .draw(&Rectangle::new(
                [(x, yc - half), (x + w, yc + half)],
                c.filled(),
            ))
            .map_err(draw_err),
        Swatch::Dot(c) => root
            .draw(&Circle::new(
                (x + w / 2, yc),
                half.max(2) * 2 / 3,
                c.filled(),
            ))
            .map_err(draw_err),
        Swatch::Interval(c) => {
            root.draw(&PathElement::new(
                vec![(x, yc), (x + w, yc)],
                ctx.stroke(c, lw),
            ))
            .map_err(draw_err)?;
            root.draw(&Circle::new(
                (x + w / 2, yc),
                half.max(2) * 2 / 3,
                c.filled(),
            ))
            .map_err(draw_err)
        }
    }
}

/// Draws the empty state: a light frame with `message` in the middle.
pub(super) fn empty_state<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    message: &str,
) -> Result<()> {
    ctx.record_panel(message, 0);
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        ctx.stroke(ctx.theme.grid, 1.0),
    ))
    .map_err(draw_err)?;
    area.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2),
        ctx.muted(ctx.theme.axis_label_pt)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(draw_err)
}

/// Least width of one panel of small multiples, in points (about 1.6 inches).
pub(super) const PANEL_MIN_W_PT: f64 = 115.0;
/// Least height of one panel of small multiples, in points (heading, plot and tick labels).
pub(super) const PANEL_MIN_H_PT: f64 = 100.0;

/// Points taken by the frame around a grid of panels: margins, title, subtitle, two lines of
/// legend, three of notes and the bottom axis label.
pub(super) fn chrome_pt(t: &Theme) -> f64 {
    2.0 * t.margin_pt
        + 1.45 * (t.title_pt + t.subtitle_pt + 2.0 * t.legend_pt + 3.0 * t.subtitle_pt)
        + 1.45 * t.axis_label_pt
        + 12.0
}

/// Columns and rows of a grid of `n` panels in a figure `width_px` wide: as square as the
/// panels' least width allows (a grid that grows downwards; the figure grows with it).
pub(super) fn grid_shape(n: usize, output: &Output, t: &Theme, min_w_pt: f64) -> (usize, usize) {
    let n = n.max(1);
    let width_pt = output.width_px as f64 * 72.0 / output.dpi - 2.0 * t.margin_pt - 14.0;
    let max_cols = ((width_pt / min_w_pt).floor() as usize).max(1);
    let cols = ((n as f64).sqrt().ceil() as usize).min(max_cols).min(n);
    (cols, n.div_ceil(cols))
}

/// One panel of [`small_multiples`].
pub(super) struct Cell<DB: DrawingBackend> {
    /// Where to draw it.
    pub area: DrawingArea<DB, Shift>,
    /// In the bottom row of its column (it carries the x axis label).
    pub bottom: bool,
}

/// Splits `area` into a grid of `n` panels ([`grid_shape`]), with `y_label` drawn once, rotated,
/// on the left for all of them.
pub(super) fn small_multiples<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    n: usize,
    y_label: &str,
) -> Result<Vec<Cell<DB>>> {
    let t = ctx.theme;
    let (rw, rh) = root.dim_in_pixel();
    let output = Output {
        width_px: rw,
        height_px: rh,
        dpi: ctx.dpi,
        formats: Default::default(),
    };
    let (cols, rows) = grid_shape(n, &output, t, PANEL_MIN_W_PT);
    let (aw, ah) = area.dim_in_pixel();
    let (ax, ay) = area.get_base_pixel();
    let strip = if y_label.is_empty() {
        0
    } else {
        root.draw(&Text::new(
            y_label.to_string(),
            (ax, ay + ah as i32 / 2),
            ctx.font(t.axis_label_pt)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(draw_err)?;
        ctx.line_height(t.axis_label_pt)
    };
    let grid = area
        .clone()
        .shrink((strip, 0), ((aw as i32 - strip).max(1), ah as i32));
    Ok(grid
        .split_evenly((rows, cols))
        .into_iter()
        .take(n)
        .enumerate()
        .map(|(i, area)| Cell {
            area,
            bottom: i + cols >= n,
        })
        .collect())
}

/// How tick values are written.
#[derive(Clone, Debug)]
pub(super) enum TickFormat {
    /// Numbers with this many decimals.
    Decimals(usize),
    /// Integer positions 0, 1, ... named by these labels.
    Categories(Vec<String>),
    /// Whole numbers counted down from this top: position `v` reads `top - v` (ranks that grow
    /// downwards on a y axis).
    Reversed(f64),
    /// A log₁₀ scale: position `v` reads `10^v` (`1,000` at 3; decimals below 1).
    Power10,
}

impl TickFormat {
    pub fn format(&self, v: f64) -> String {
        match self {
            TickFormat::Decimals(d) => fmt_number(v, *d),
            TickFormat::Reversed(top) => fmt_number(top - v, 0),
            TickFormat::Power10 => {
                let decimals = if v < 0.0 { (-v).ceil() as usize } else { 0 };
                fmt_number(10f64.powf(v), decimals.min(12))
            }
            TickFormat::Categories(names) => {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    }
}

/// One axis: its range, the ticks to mark, the label and the tick format.
#[derive(Clone, Debug)]
pub(super) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub label: String,
    pub format: TickFormat,
}

impl Axis {
    /// A numeric axis covering `[lo, hi]` with about `target` nice ticks (range widened to them).
    pub fn numeric(lo: f64, hi: f64, target: usize, label: impl Into<String>) -> Axis {
        let (lo, hi, ticks, decimals) = nice_ticks(lo, hi, target);
        Axis {
            lo,
            hi,
            ticks,
            label: label.into(),
            format: TickFormat::Decimals(decimals),
        }
    }

    /// A numeric axis over exactly `[lo, hi]` with nice ticks inside it.
    pub fn numeric_exact(lo: f64, hi: f64, target: usize, label: impl Into<String>) -> Axis {
        let (_, _, ticks, decimals) = nice_ticks(lo, hi, target);
        let eps = (hi - lo).abs() * 1e-9;
        Axis {
            lo,
            hi,
            ticks: ticks
                .into_iter()
                .filter(|t| *t >= lo - eps && *t <= hi + eps)
                .collect(),
            label: label.into(),
            format: TickFormat::Decimals(decimals),
        }
    }

    /// Categories at 0, 1, ..., n-1 (range padded by half a step).
    pub fn categories(names: Vec<String>, label: impl Into<String>) -> Axis {
        let n = names.len().max(1);
        Axis {
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: (0..names.len()).map(|i| i as f64).collect(),
            label: label.into(),
            format: TickFormat::Categories(names),
        }
    }

    /// Integer ticks over `[first, last]` (for quarters), thinned to at most `max_ticks`.
    pub fn integers(first: f64, last: f64, max_ticks: usize, label: impl Into<String>) -> Axis {
        let (first, last) = if last > first {
            (first, last)
        } else {
            (first - 1.0, first + 1.0)
        };
        let span = last - first;
        let mut step = 1.0;
        while span / step > max_ticks.max(2) as f64 {
            step = if step < 2.0 {
                2.0
            } else if step < 5.0 {
                5.0
            } else {
                step * 2.0
            };
        }
        let mut ticks = Vec::new();
        let mut t = (first / step).ceil() * step;
        while t <= last + 1e-9 {
            ticks.push(t);
            t += step;
        }
        let pad = (span * 0.02).max(0.0);
        Axis {
            lo: first - pad,
            hi: last + pad,
            ticks,
            label: label.into(),
            format: TickFormat::Decimals(0),
        }
    }

    /// The axis with every k-th tick only (k as small as possible) so that ticks `length`
    /// pixels apart in all leave room for each label (`room(label)` pixels); categories are never
    /// thinned (each names a row or a bar).
    pub fn thinned(&self, length: i32, room: impl Fn(&str) -> i32) -> Axis {
        let n = self.ticks.len();
        if n < 2 || matches!(self.format, TickFormat::Categories(_)) || self.hi <= self.lo {
            return self.clone();
        }
        let labels = self.labels();
        let need = labels.iter().map(|l| room(l)).max().unwrap_or(0) as f64;
        let per_unit = length as f64 / (self.hi - self.lo);
        let step = self
            .ticks
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(f64::INFINITY, f64::min);
        let mut k = 1;
        while k < n && step * k as f64 * per_unit < need {
            k += 1;
        }
        if k == 1 {
            return self.clone();
        }
        // Keep a tick at zero when there is one, so the thinned ticks stay round.
        let anchor = self.ticks.iter().position(|t| *t == 0.0).unwrap_or(0);
        let mut a = self.clone();
        a.ticks = self
            .ticks
            .iter()
            .enumerate()
            .filter(|(i, _)| i.abs_diff(anchor) % k == 0)
            .map(|(_, t)| *t)
            .collect();
        a
    }

    fn labels(&self) -> Vec<String> {
        self.ticks.iter().map(|&t| self.format.format(t)).collect()
    }
}

/// A linear `f64` coordinate whose ticks (and grid lines) are exactly the ones given.
#[derive(Clone, Debug)]
pub(super) struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn of(axis: &Axis) -> Ticked {
        Ticked {
            lo: axis.lo,
            hi: axis.hi,
            ticks: axis.ticks.clone(),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let length = limit.1 - limit.0;
        if length == 0 || span == 0.0 || !span.is_finite() {
            return limit.0;
        }
        let f = (value - self.lo) / span;
        let v = (length as f64 * f + 1e-3).floor();
        limit.0 + v.clamp(-1e7, 1e7) as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A Cartesian plot on [`Ticked`] axes.
pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// Options of [`plot`].
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PlotOptions {
    /// No vertical grid lines.
    pub no_x_grid: bool,
    /// No horizontal grid lines.
    pub no_y_grid: bool,
    /// Extra space on the right, in pixels (for a colour bar).
    pub right_px: i32,
    /// Least width of the y label area, in pixels (to line panels up).
    pub left_px: i32,
    /// Keep room for an x axis label even when there is none, so that panels of small
    /// multiples with and without one have plots of the same height (and the same ticks).
    pub reserve_x_label: bool,
    /// Most staggered rows of category names on the x axis (0: two). Names too wide for one
    /// row take the fewest rows up to this that hold them whole, and are shortened only beyond.
    pub stagger_rows: i32,
    /// Least height of the x axis area (tick labels and axis label), in pixels: a plot beside
    /// another with taller x labels (two staggered rows) gets the same plot height.
    pub min_x_area_px: i32,
}

/// Builds a plot on `area` with the axes' ranges, ticks and labels, sized so that tick labels
/// and axis labels fit, and draws the mesh. Numeric ticks too close for their labels are thinned
/// (every second, third, ... tick kept); every tick label drawn is recorded in the geometry.
pub(super) fn plot<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    ctx: &Ctx,
    x: &Axis,
    y: &Axis,
    opts: PlotOptions,
) -> Result<Plot<'a, DB>> {
    let t = ctx.theme;
    let tick = ctx.font(t.tick_pt);
    let desc = ctx.font(t.axis_label_pt);
    let gap = ctx.pxi(3.0);
    let tick_len = ctx.pxi(2.5);
    let tick_h = ctx.line_height(t.tick_pt);
    let desc_h = ctx.line_height(t.axis_label_pt);
    let x_label = ctx.x_label(&x.label);
    let y_label = ctx.y_label(&y.label);
    let (aw, ah) = area.dim_in_pixel();
    // Category names too wide for their slot go on two staggered rows (and are shortened with
    // an ellipsis if even that is too narrow); decided on the width before the y labels.
    let right_of = |x: &Axis| {
        let last_w = x.labels().last().map_or(0, |l| text_width(area, l, &tick));
        // The last label hangs below the plot, never beside it: room to its right (for a
        // colour bar) also takes its overhang.
        (last_w / 2 + gap).max(ctx.pxi(6.0)).max(opts.right_px)
    };
    let max_rows = if opts.stagger_rows > 0 {
        opts.stagger_rows
    } else {
        2
    };
    let rows = match &x.format {
        TickFormat::Categories(names) if names.len() > 1 => {
            let y_w = y
                .labels()
                .iter()
                .map(|l| text_width(area, l, &tick))
                .max()
                .unwrap_or(0);
            let guess_w = aw as i32 - y_w - desc_h - right_of(x);
            let slot = guess_w as f64 / (x.hi - x.lo).max(1.0);
            let widest = names
                .iter()
                .map(|n| text_width(area, n, &tick))
                .max()
                .unwrap_or(0);
            (1..max_rows)
                .find(|k| widest <= (slot * *k as f64) as i32 - ctx.pxi(4.0))
                .unwrap_or(max_rows)
        }
        _ => 1,
    };
    let stagger = rows > 1;
    let x_area = tick_h * rows
        + tick_len
        + gap
        + if x_label.is_empty() && !opts.reserve_x_label {
            0
        } else {
            desc_h
        };
    let x_area = x_area.max(opts.min_x_area_px);
    // Thin y first (its labels set the left margin), then x in the width left.
    let plot_h = (ah as i32 - x_area - tick_h / 2).max(1);
    let y = y.thinned(plot_h, |_| tick_h);
    let y_tick_w = y
        .labels()
        .iter()
        .map(|l| text_width(area, l, &tick))
        .max()
        .unwrap_or(0);
    let y_area = (y_tick_w + tick_len + 2 * gap + if y_label.is_empty() { 0 } else { desc_h })
        .max(opts.left_px + tick_len + 2 * gap);
    let right = right_of(x);
    let plot_w = (aw as i32 - y_area - right).max(1);
    let mut x = x.thinned(plot_w, |l| text_width(area, l, &tick) + ctx.pxi(4.0));
    if let TickFormat::Categories(names) = &mut x.format {
        let slot = plot_w as f64 / (x.hi - x.lo).max(1.0);
        let room = (slot as i32 * rows - ctx.pxi(4.0)).max(1);
        for name in names.iter_mut() {
            *name = shorten(area, name, &tick, room);
        }
    }
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(tick_h / 2)
        .margin_right(right)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area);
    let mut chart = builder
        .build_cartesian_2d(Ticked::of(&x), Ticked::of(&y))
        .map_err(draw_err)?;
    // Staggered labels are drawn below, by hand.
    let xf = |v: &f64| {
        if stagger {
            String::new()
        } else {
            x.format.format(*v)
        }
    };
    let yf = |v: &f64| y.format.format(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style(desc)
        .label_style(tick.clone())
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .x_labels(x.ticks.len().max(1))
        .y_labels(y.ticks.len().max(1))
        .bold_line_style(ctx.stroke(t.grid, 0.5))
        .light_line_style(TRANSPARENT)
        .axis_style(ctx.stroke(t.ink, 0.6))
        .set_all_tick_mark_size(tick_len);
    if opts.no_x_grid {
        mesh.disable_x_mesh();
    }
    if opts.no_y_grid {
        mesh.disable_y_mesh();
    }
    mesh.draw().map_err(draw_err)?;
    // Where plotters put the tick labels: `2 × tick length` from the axis, centred under an x
    // tick (top-aligned) and right-aligned left of a y tick (centred).
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let size = |l: &str| {
        area.estimate_text_size(l, &tick)
            .map(|(w, h)| (w as i32, h as i32))
            .unwrap_or((0, 0))
    };
    let dist = 2 * tick_len;
    let (bx, by) = area.get_base_pixel();
    for (i, (v, l)) in x.ticks.iter().zip(x.labels()).enumerate() {
        if l.is_empty() || *v < x.lo || *v > x.hi {
            continue;
        }
        let (w, h) = size(&l);
        let px = chart.backend_coord(&(*v, y.lo)).0;
        let top = yr.end
            + dist
            + if stagger {
                (i as i32 % rows) * tick_h
            } else {
                0
            };
        if stagger {
            area.draw(&Text::new(
                l.clone(),
                (px - bx, top - by),
                tick.pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        ctx.record_tick(&l, (px - w / 2, top), (px - w / 2 + w, top + h));
    }
    for (v, l) in y.ticks.iter().zip(y.labels()) {
        if l.is_empty() || *v < y.lo || *v > y.hi {
            continue;
        }
        let (w, h) = size(&l);
        let py = chart.backend_coord(&(x.lo, *v)).1;
        let right = xr.start - dist;
        ctx.record_tick(&l, (right - w, py - h / 2), (right, py - h / 2 + h));
    }
    Ok(chart)
}

/// Nice ticks for `[lo, hi]`: a step of 1, 2, 2.5 or 5 times a power of ten giving at most
/// about `target` intervals; returns the widened range, the ticks and the decimals they need.
pub(super) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (f64, f64, Vec<f64>, usize) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1e-300) {
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let pad = lo.abs() * 0.1;
            lo -= pad;
            hi += pad;
        }
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step = mag;
    let mut tenth_digit = false;
    for (mult, extra) in [
        (1.0, false),
        (2.0, false),
        (2.5, true),
        (5.0, false),
        (10.0, false),
    ] {
        if mult * mag >= raw * (1.0 - 1e-9) {
            step = mult * mag;
            tenth_digit = extra;
            break;
        }
    }
    // A bound within a hair of a tick is on that tick.
    let first = (lo / step + 1e-9).floor();
    let last = (hi / step - 1e-9).ceil();
    let decimals = (-(step.log10().floor()) as i64 + i64::from(tenth_digit)).clamp(0, 12) as usize;
    let round = |v: f64| {
        let f = 10f64.powi(decimals as i32);
        let r = (v * f).round() / f;
        if r == 0.0 { 0.0 } else { r }
    };
    let n = (last - first).max(1.0) as usize;
    let ticks: Vec<f64> = (0..=n.min(200))
        .map(|k| round((first + k as f64) * step))
        .collect();
    let lo = ticks.first().copied().unwrap_or(lo);
    let hi = ticks.last().copied().unwrap_or(hi);
    (lo, hi, ticks, decimals)
}

/// A number with `decimals` decimals, thousands separated by commas from 10,000 on, and a true
/// minus sign.
pub(super) fn fmt_number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let int = if int.len() > 4 {
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        int
    };
    let body = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    };
    let is_zero = body.chars().all(|c| c == '0' || c == '.' || c == ',');
    if v < 0.0 && !is_zero {
        format!("−{body}")
    } else {
        body
    }
}

/// Checks that every value is finite, naming the field of the first that is not.
pub(super) fn check_finite<'a>(
    chart: &'static str,
    field: &str,
    values: impl IntoIterator<Item = &'a f64>,
) -> Result<()> {
    for (i, v) in values.into_iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::InvalidInput {
                chart,
                message: format!("{field}[{i}] = {v} is not finite"),
            });
        }
    }
    Ok(())
}

/// The smallest and largest of `values` (None when empty).
pub(super) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Draws a dashed polyline in data coordinates.
pub(super) fn dashed<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    ctx: &Ctx,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
) -> Result<()> {
    let dash = ctx.pxi(3.0) as u32;
    let space = ctx.pxi(2.0) as u32;
    chart
        .draw_series(DashedLineSeries::new(points, dash, space, style))
        .map_err(draw_err)?;
    Ok(())
}

/// Width in pixels that [`colorbar`] needs for tick labels like `widest` and its label.
pub(super) fn colorbar_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    axis: &Axis,
) -> i32 {
    let tick = ctx.font(ctx.theme.tick_pt);
    let widest = axis
        .labels()
        .iter()
        .map(|l| text_width(area, l, &tick))
        .max()
        .unwrap_or(0);
    let label = if axis.label.is_empty() {
        0
    } else {
        ctx.line_height(ctx.theme.axis_label_pt)
    };
    ctx.pxi(10.0) + ctx.pxi(3.0) + widest + ctx.pxi(4.0) + label
}

/// Draws a vertical colour bar for `axis` (values `axis.lo` to `axis.hi`, coloured by `color`)
/// with its top-left corner at `(x, y0)` (pixels of `area`) down to `y1`.
pub(super) fn colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    axis: &Axis,
    (x, y0, y1): (i32, i32, i32),
    color: impl Fn(f64) -> RGBColor,
) -> Result<()> {
    let bar_w = ctx.pxi(10.0);
    let h = (y1 - y0).max(1);
    let steps = 128;
    for k in 0..steps {
        let f0 = k as f64 / steps as f64;
        let f1 = (k + 1) as f64 / steps as f64;
        let ya = y1 - (f0 * h as f64).round() as i32;
        let yb = y1 - (f1 * h as f64).round() as i32;
        area.draw(&Rectangle::new(
            [(x, yb), (x + bar_w, ya)],
            color((f0 + f1) / 2.0).filled(),
        ))
        .map_err(draw_err)?;
    }
    area.draw(&Rectangle::new(
        [(x, y0), (x + bar_w, y1)],
        ctx.stroke(ctx.theme.ink, 0.5),
    ))
    .map_err(draw_err)?;
    let tick = ctx.font(ctx.theme.tick_pt);
    let span = axis.hi - axis.lo;
    let mut widest = 0;
    for &t in &axis.ticks {
        let f = if span > 0.0 {
            (t - axis.lo) / span
        } else {
            0.5
        };
        let y = y1 - (f * h as f64).round() as i32;
        area.draw(&PathElement::new(
            vec![(x + bar_w, y), (x + bar_w + ctx.pxi(2.0), y)],
            ctx.stroke(ctx.theme.ink, 0.5),
        ))
        .map_err(draw_err)?;
        let label = axis.format.format(t);
        widest = widest.max(text_width(area, &label, &tick));
        if let Ok((w, h)) = area.estimate_text_size(&label, &tick) {
            let (bx, by) = area.get_base_pixel();
            let lx = bx + x + bar_w + ctx.pxi(3.0);
            let ty = by + y - h as i32 / 2;
            ctx.record_tick(&label, (lx, ty), (lx + w as i32, ty + h as i32));
        }
        area.draw(&Text::new(
            label,
            (x + bar_w + ctx.pxi(3.0), y),
            tick.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    let lx = x + bar_w + ctx.pxi(3.0) + widest + ctx.pxi(4.0);
    let desc = ctx.font(ctx.theme.axis_label_pt);
    area.draw(&Text::new(
        shorten(area, &axis.label, &desc, h),
        (lx, (y0 + y1) / 2),
        ctx.font(ctx.theme.axis_label_pt)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(draw_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice() {
        let (lo, hi, ticks, d) = nice_ticks(0.3, 9.7, 5);
        assert_eq!((lo, hi, d), (0.0, 10.0, 0));
        assert_eq!(ticks, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let (_, _, ticks, d) = nice_ticks(0.0, 0.1, 4);
        assert_eq!(d, 3);
        assert_eq!(ticks, vec![0.0, 0.025, 0.05, 0.075, 0.1]);
    }

    #[test]
    fn degenerate_range_is_widened() {
        let (lo, hi, ticks, _) = nice_ticks(5.0, 5.0, 5);
        assert!(lo < 5.0 && hi > 5.0 && ticks.len() >= 2);
        let (lo, hi, _, _) = nice_ticks(0.0, 0.0, 5);
        assert_eq!((lo, hi), (0.0, 1.0));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_number(12345.0, 0), "12,345");
        assert_eq!(fmt_number(1234.5, 1), "1234.5");
        assert_eq!(fmt_number(-0.0001, 2), "0.00");
        assert_eq!(fmt_number(-2.5, 1), "−2.5");
        assert_eq!(TickFormat::Power10.format(3.0), "1000");
        assert_eq!(TickFormat::Power10.format(5.0), "100,000");
        assert_eq!(TickFormat::Power10.format(-2.0), "0.01");
    }
}
