//! Fan charts: a per-quarter measure across paths, as the median with 50% and 90% bands.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sim::aggregate::{Aggregates, QuarterStats};
use sim::results::QuarterRecord;
use sim::stats::Summary;

use super::error::{Error, Result};
use super::geometry::Geometry;
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PANEL_MIN_H_PT, PANEL_MIN_W_PT, PlotOptions, Swatch,
    check_finite, chrome_pt, empty_state, extent, frame, grid_shape, plot, small_multiples,
};
use super::render::{Chart, csv_table, draw_err, geometry_of, grown_height, num, render};
use super::style::{Labels, Output, Theme, UnitAxis, measure_label};

/// Opacity of the 90% band.
const OUTER_BAND: f64 = 0.18;
/// Opacity of the 50% band (drawn over the 90% band).
const INNER_BAND: f64 = 0.30;

/// Quantiles across paths at one x position (a quarter), in plotted units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FanPoint {
    /// Position on the x axis (quarter, 1-based).
    pub x: f64,
    /// 5% quantile (lower end of the 90% band).
    pub p05: f64,
    /// 25% quantile (lower end of the 50% band).
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75% quantile (upper end of the 50% band).
    pub p75: f64,
    /// 95% quantile (upper end of the 90% band).
    pub p95: f64,
}

/// One fan: a named series of [`FanPoint`]s, in increasing `x`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FanSeries {
    /// Legend or panel name, e.g. `east`.
    pub name: String,
    /// The points.
    pub points: Vec<FanPoint>,
}

/// Input of [`fan_chart`]. Up to two series are overlaid; three or more are drawn as small
/// multiples on a shared y axis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FanChart {
    /// Title (name the measure and the scenario).
    pub title: String,
    /// Line under the title, e.g. how many paths.
    pub subtitle: Option<String>,
    /// Small print under the plot, e.g. the measure's definition.
    pub note: Option<String>,
    /// X axis label.
    pub x_label: String,
    /// Y axis label with its unit.
    pub y_label: String,
    /// The fans. All empty: an empty-state chart is drawn.
    pub series: Vec<FanSeries>,
    /// The values are counts (banks, firms): y ticks at whole numbers only.
    pub counts: bool,
    /// `None`: the points are quantiles across paths (the line the median, bands 50% and 90%).
    /// `Some(label)`: each point is one estimate with an interval from `p05` to `p95` (e.g. a
    /// bootstrap interval): the line is the estimate, one band the interval, labelled `label`.
    pub interval: Option<String>,
}

/// Writes a fan chart: `<stem>.svg`/`.png` and `<stem>.csv` with columns
/// `series,x,p05,p25,p50,p75,p95`. Returns the paths written.
pub fn fan_chart(
    chart: &FanChart,
    dir: &std::path::Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<std::path::PathBuf>> {
    render(chart, dir, stem, output, theme)
}

impl Chart for FanChart {
    const KIND: &'static str = "fan";

    fn validate(&self) -> Result<()> {
        for s in &self.series {
            let field = format!("series `{}` points", s.name);
            check_finite(
                Self::KIND,
                &field,
                s.points
                    .iter()
                    .flat_map(|p| [&p.x, &p.p05, &p.p25, &p.p50, &p.p75, &p.p95]),
            )?;
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let rows = self
            .series
            .iter()
            .flat_map(|s| {
                s.points.iter().map(|p| {
                    vec![
                        s.name.clone(),
                        num(p.x),
                        num(p.p05),
                        num(p.p25),
                        num(p.p50),
                        num(p.p75),
                        num(p.p95),
                    ]
                })
            })
            .collect();
        Ok(vec![(
            String::new(),
            csv_table(&["series", "x", "p05", "p25", "p50", "p75", "p95"], rows)?,
        )])
    }

    fn size(&self, output: &Output, theme: &Theme) -> (u32, u32) {
        if !self.facets() {
            return (output.width_px, output.height_px);
        }
        let (_, rows) = grid_shape(self.series.len(), output, theme, PANEL_MIN_W_PT);
        let needed = chrome_pt(theme) + rows as f64 * PANEL_MIN_H_PT;
        (output.width_px, grown_height(output, needed))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let facets = self.facets();
        let mut legend = Vec::new();
        let line = if self.interval.is_some() {
            "estimate"
        } else {
            "median"
        };
        // Overlaid fans: a colour per series. Small multiples: one colour for every panel (the
        // panel's heading names it), so the legend's swatches are the colours drawn.
        let colour = |i: usize| if facets { t.color(0) } else { t.color(i) };
        let band_colour = if facets || self.series.len() == 1 {
            t.color(0)
        } else {
            t.muted
        };
        if !facets && self.series.len() > 1 {
            for (i, s) in self.series.iter().enumerate() {
                legend.push(LegendItem::new(
                    format!("{} ({line})", s.name),
                    Swatch::Line(colour(i)),
                ));
            }
        } else {
            legend.push(LegendItem::new(line, Swatch::Line(t.color(0))));
        }
        match &self.interval {
            None => {
                legend.push(LegendItem::new(
                    "50% band",
                    Swatch::Band(band_colour, both_bands()),
                ));
                legend.push(LegendItem::new(
                    "90% band",
                    Swatch::Band(band_colour, OUTER_BAND),
                ));
            }
            Some(label) => {
                let has_band = self
                    .series
                    .iter()
                    .flat_map(|s| &s.points)
                    .any(|p| p.p05 < p.p95);
                if has_band {
                    legend.push(LegendItem::new(
                        label.clone(),
                        Swatch::Band(band_colour, OUTER_BAND),
                    ));
                }
            }
        }
        let quantile_bands = self.interval.is_none();
        let all: Vec<&FanPoint> = self.series.iter().flat_map(|s| &s.points).collect();
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: if all.is_empty() { Vec::new() } else { legend },
                note: self.note.clone(),
            },
        )?;
        let (Some((x0, x1)), Some((y0, y1))) = (
            extent(all.iter().map(|p| p.x)),
            extent(all.iter().flat_map(|p| [p.p05, p.p95, p.p50])),
        ) else {
            return empty_state(&area, ctx, "No data: the run has no paths or no quarters");
        };
        if !facets {
            let x_axis = Axis::integers(x0, x1, 12, self.x_label.clone());
            let y_axis = self.y_axis(y0, y1, 5, self.y_label.clone());
            let mut chart = plot(&area, ctx, &x_axis, &y_axis, PlotOptions::default())?;
            ctx.record_panel(&self.title, fan_points_shown(&all));
            for (i, s) in self.series.iter().enumerate() {
                draw_fan(&mut chart, ctx, s, colour(i), quantile_bands)?;
            }
            return Ok(());
        }
        let n = self.series.len();
        let panels = small_multiples(root, &area, ctx, n, &ctx.y_label(&self.y_label))?;
        let head = ctx.line_height(t.axis_label_pt);
        for (s, cell) in self.series.iter().zip(&panels) {
            let x_label = if cell.bottom {
                self.x_label.clone()
            } else {
                String::new()
            };
            let x_axis = Axis::integers(x0, x1, 6, x_label);
            let y_axis = self.y_axis(y0, y1, 4, String::new());
            let (w, h) = cell.area.dim_in_pixel();
            let inner = cell
                .area
                .clone()
                .shrink((0, head), (w as i32, (h as i32 - head).max(1)));
            let opts = PlotOptions {
                reserve_x_label: true,
                ..Default::default()
            };
            let mut chart = plot(&inner, ctx, &x_axis, &y_axis, opts)?;
            let points: Vec<&FanPoint> = s.points.iter().collect();
            ctx.record_panel(&s.name, fan_points_shown(&points));
            draw_fan(&mut chart, ctx, s, colour(0), quantile_bands)?;
            let (xr, _) = chart.plotting_area().get_pixel_range();
            let top = cell.area.get_base_pixel().1;
            root.draw(&Text::new(
                s.name.clone(),
                (xr.start, top),
                ctx.bold(t.axis_label_pt)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// Opacity of the 50% band as it appears, drawn over the 90% band.
fn both_bands() -> f64 {
    1.0 - (1.0 - OUTER_BAND) * (1.0 - INNER_BAND)
}

/// The data points a fan shows: its points, or none for a single point (a dot is no fan).
fn fan_points_shown(points: &[&FanPoint]) -> usize {
    let mut xs: Vec<f64> = points.iter().map(|p| p.x).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    if xs.len() < 2 { 0 } else { points.len() }
}

impl FanChart {
    /// Drawn as small multiples (three or more series) rather than overlaid.
    fn facets(&self) -> bool {
        self.series.len() > 2
    }

    /// Whether the chart has something to show: some series with at least two quarters (a
    /// chart of a single quarter is one dot per series, and is better left out).
    pub fn has_data(&self) -> bool {
        self.series.iter().any(|s| {
            let mut xs: Vec<f64> = s.points.iter().map(|p| p.x).collect();
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            xs.len() >= 2
        })
    }

    /// The figure's geometry as drawn for `output` (see [`Geometry`]).
    pub fn geometry(&self, output: &Output, theme: &Theme) -> Result<Geometry> {
        geometry_of(self, output, theme)
    }

    fn y_axis(&self, y0: f64, y1: f64, target: usize, label: String) -> Axis {
        if self.counts && y1 - y0 < 2.0 * target as f64 {
            let lo = y0.floor();
            let mut a = Axis::integers(lo, y1.ceil().max(lo + 1.0), target, label);
            a.lo = lo;
            a
        } else {
            Axis::numeric(y0, y1, target, label)
        }
    }
}

fn band_polygon(
    points: &[FanPoint],
    lo: fn(&FanPoint) -> f64,
    hi: fn(&FanPoint) -> f64,
) -> Vec<(f64, f64)> {
    points
        .iter()
        .map(|p| (p.x, lo(p)))
        .chain(points.iter().rev().map(|p| (p.x, hi(p))))
        .collect()
}

fn draw_fan<DB: DrawingBackend>(
    chart: &mut super::layout::Plot<'_, DB>,
    ctx: &Ctx,
    s: &FanSeries,
    color: RGBColor,
    inner: bool,
) -> Result<()> {
    if s.points.is_empty() {
        return Ok(());
    }
    chart
        .draw_series(std::iter::once(Polygon::new(
            band_polygon(&s.points, |p| p.p05, |p| p.p95),
            color.mix(OUTER_BAND).filled(),
        )))
        .map_err(draw_err)?;
    if inner {
        chart
            .draw_series(std::iter::once(Polygon::new(
                band_polygon(&s.points, |p| p.p25, |p| p.p75),
                color.mix(INNER_BAND).filled(),
            )))
            .map_err(draw_err)?;
    }
    let line = ctx.stroke(color, ctx.theme.line_pt);
    chart
        .draw_series(LineSeries::new(s.points.iter().map(|p| (p.x, p.p50)), line))
        .map_err(draw_err)?;
    if s.points.len() == 1 {
        let p = &s.points[0];
        chart
            .draw_series(std::iter::once(Circle::new(
                (p.x, p.p50),
                ctx.pxi(2.0),
                color.filled(),
            )))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The value of quantile `p` in a summary (quarter summaries hold 5, 25, 50, 75 and 95%).
pub(super) fn quantile(s: &Summary, p: f64) -> Option<f64> {
    s.quantiles
        .iter()
        .find(|(q, _)| (q - p).abs() < 1e-9)
        .map(|(_, v)| *v)
}

/// Fan points of one per-quarter measure, scaled to plotted units; empty when there are no paths.
pub(super) fn fan_points(stats: &QuarterStats, scale: f64, paths: usize) -> Result<Vec<FanPoint>> {
    if paths == 0 {
        return Ok(Vec::new());
    }
    stats
        .quarters
        .iter()
        .enumerate()
        .map(|(t, s)| {
            let q = |p: f64| {
                quantile(s, p)
                    .map(|v| v * scale)
                    .ok_or_else(|| Error::InvalidInput {
                        chart: "fan",
                        message: format!("{} has no {p} quantile in quarter {}", stats.name, t + 1),
                    })
            };
            Ok(FanPoint {
                x: (t + 1) as f64,
                p05: q(0.05)?,
                p25: q(0.25)?,
                p50: q(0.5)?,
                p75: q(0.75)?,
                p95: q(0.95)?,
            })
        })
        .collect()
}

/// The doc line of a per-quarter measure (regional measures take their base measure's).
pub(super) fn quarter_doc(name: &str) -> Option<&'static str> {
    let base = name.split('[').next().unwrap_or(name);
    QuarterRecord::MEASURES
        .iter()
        .find(|m| m.name == base)
        .map(|m| m.doc)
}

/// A per-quarter measure's statistics by name, among the quarter measures and the regional credit
/// gap shares (`credit_gap_share[east]`).
pub(super) fn find_quarter_measure<'a>(
    agg: &'a Aggregates,
    name: &str,
) -> Result<&'a QuarterStats> {
    agg.quarter_measures
        .iter()
        .chain(&agg.region_gap_share)
        .find(|m| m.name == name)
        .ok_or_else(|| Error::UnknownMeasure {
            name: name.to_string(),
            available: agg
                .quarter_measures
                .iter()
                .chain(&agg.region_gap_share)
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn paths_subtitle(paths: usize) -> String {
    format!("Median across {paths} paths, with 50% and 90% bands of the path distribution")
}

/// A fan chart of one per-quarter measure (any of `QuarterRecord::MEASURES` but `quarter`, e.g.
/// `credit_gap_share`, `firm_default_rate`, `system_car`, `bank_failures`, or a regional
/// `credit_gap_share[east]`). Shares are shown in percent; money in `labels.currency`.
pub fn fan_from_aggregates(agg: &Aggregates, measure: &str, labels: &Labels) -> Result<FanChart> {
    let stats = find_quarter_measure(agg, measure)?;
    let unit = UnitAxis::for_unit(&stats.unit, labels.currency.as_deref());
    let pretty = measure_label(measure, QuarterRecord::MEASURES);
    Ok(FanChart {
        title: labels.title(&format!("{pretty} by quarter")),
        subtitle: Some(paths_subtitle(agg.paths)),
        note: quarter_doc(measure).map(|d| format!("{pretty}: {d}")),
        x_label: "Quarter".into(),
        y_label: unit.axis_label(&pretty),
        series: vec![FanSeries {
            name: pretty,
            points: fan_points(stats, unit.scale, agg.paths)?,
        }],
        counts: matches!(stats.unit.as_str(), "banks" | "firms" | "rounds"),
        interval: None,
    })
}

/// The credit gap share of every region, and of all regions together, as small multiples.
pub fn region_gap_fan(agg: &Aggregates, labels: &Labels) -> Result<FanChart> {
    let unit = UnitAxis::for_unit("share", None);
    let total = find_quarter_measure(agg, "credit_gap_share")?;
    let mut series = vec![FanSeries {
        name: "All regions".into(),
        points: fan_points(total, unit.scale, agg.paths)?,
    }];
    for r in &agg.region_gap_share {
        let region = r
            .name
            .split_once('[')
            .map_or(r.name.as_str(), |(_, x)| x.trim_end_matches(']'));
        series.push(FanSeries {
            name: region.to_string(),
            points: fan_points(r, unit.scale, agg.paths)?,
        });
    }
    Ok(FanChart {
        title: labels.title("Credit gap share by region and quarter"),
        subtitle: Some(paths_subtitle(agg.paths)),
        note: quarter_doc("credit_gap_share").map(|d| format!("Credit gap share: {d}")),
        x_label: "Quarter".into(),
        y_label: unit.axis_label("Credit gap share"),
        series,
        counts: false,
        interval: None,
    })
}
