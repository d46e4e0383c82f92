//! The paper figure of a comparison: two scenarios' fan charts overlaid, one panel per region,
//! each over its paired difference (B − A per quarter on common random numbers) with error bars.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sim::aggregate::CONFIDENCE;
use sim::results::PathResult;
use sim::scenario::Scenario;

use super::error::{Error, Result};
use super::fan::FanPoint;
use super::geometry::Geometry;
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PANEL_MIN_H_PT, PANEL_MIN_W_PT, PlotOptions, Swatch,
    check_finite, chrome_pt, dashed, empty_state, extent, frame, grid_shape, plot, small_multiples,
};
use super::render::{Chart, csv_table, draw_err, geometry_of, grown_height, num, render};
use super::style::{Labels, Output, Theme};

/// Opacity of each scenario's 90% band.
const BAND: f64 = 0.22;

/// The paired difference B − A at one x position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DifferencePoint {
    /// Position on the x axis (quarter).
    pub x: f64,
    /// Mean paired difference.
    pub mean: f64,
    /// Lower end of its confidence interval.
    pub low: f64,
    /// Upper end of its confidence interval.
    pub high: f64,
}

/// One panel: both scenarios' fans and their paired difference.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairedPanel {
    /// Panel heading, e.g. `east`.
    pub name: String,
    /// Scenario A's quantiles per quarter (plotted units).
    pub a: Vec<FanPoint>,
    /// Scenario B's quantiles per quarter (plotted units).
    pub b: Vec<FanPoint>,
    /// B − A per quarter (plotted units of the difference).
    pub difference: Vec<DifferencePoint>,
}

/// Input of [`paired_fan_chart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairedFanChart {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// X axis label.
    pub x_label: String,
    /// Y axis label of the fans, with its unit.
    pub y_label: String,
    /// Y axis label of the differences, with its unit (short: it sits beside a small plot).
    pub difference_label: String,
    /// Name of scenario A (the reference); the legend and the difference call it A.
    pub a_name: String,
    /// Name of scenario B.
    pub b_name: String,
    /// The interval's label, e.g. `95% confidence interval`.
    pub interval_label: String,
    /// The panels, laid out as a grid that grows with their number.
    pub panels: Vec<PairedPanel>,
}

/// Writes a paired fan chart: `<stem>.svg`/`.png` and `<stem>.csv` with columns
/// `panel,x,a_p05,a_p50,a_p95,b_p05,b_p50,b_p95,difference,low,high`.
pub fn paired_fan_chart(
    chart: &PairedFanChart,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

impl PairedFanChart {
    /// The figure's geometry as drawn for `output` (see [`Geometry`]).
    pub fn geometry(&self, output: &Output, theme: &Theme) -> Result<Geometry> {
        geometry_of(self, output, theme)
    }

    /// Whether some panel has at least two quarters to draw.
    pub fn has_data(&self) -> bool {
        self.panels.iter().any(|p| p.a.len() >= 2 && p.b.len() >= 2)
    }
}

impl Chart for PairedFanChart {
    const KIND: &'static str = "paired fan";

    fn validate(&self) -> Result<()> {
        for p in &self.panels {
            if p.a.len() != p.b.len() || p.a.len() != p.difference.len() {
                return Err(Error::InvalidInput {
                    chart: Self::KIND,
                    message: format!(
                        "panel `{}`: {} quarters of A, {} of B and {} differences",
                        p.name,
                        p.a.len(),
                        p.b.len(),
                        p.difference.len()
                    ),
                });
            }
            check_finite(
                Self::KIND,
                &format!("panel `{}`", p.name),
                p.a.iter()
                    .chain(&p.b)
                    .flat_map(|q| [&q.x, &q.p05, &q.p25, &q.p50, &q.p75, &q.p95])
                    .chain(
                        p.difference
                            .iter()
                            .flat_map(|d| [&d.x, &d.mean, &d.low, &d.high]),
                    ),
            )?;
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut rows = Vec::new();
        for p in &self.panels {
            for ((a, b), d) in p.a.iter().zip(&p.b).zip(&p.difference) {
                rows.push(vec![
                    p.name.clone(),
                    num(a.x),
                    num(a.p05),
                    num(a.p50),
                    num(a.p95),
                    num(b.p05),
                    num(b.p50),
                    num(b.p95),
                    num(d.mean),
                    num(d.low),
                    num(d.high),
                ]);
            }
        }
        Ok(vec![(
            String::new(),
            csv_table(
                &[
                    "panel",
                    "x",
                    "a_p05",
                    "a_p50",
                    "a_p95",
                    "b_p05",
                    "b_p50",
                    "b_p95",
                    "difference",
                    "low",
                    "high",
                ],
                rows,
            )?,
        )])
    }

    fn size(&self, output: &Output, theme: &Theme) -> (u32, u32) {
        let (_, rows) = grid_shape(self.panels.len(), output, theme, PANEL_MIN_W_PT);
        let needed = chrome_pt(theme) + rows as f64 * PANEL_MIN_H_PT * 1.7;
        (output.width_px, grown_height(output, needed))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let (ca, cb, cd) = (t.color(0), t.color(1), t.ink);
        let legend = vec![
            LegendItem::new(format!("A: {} (median)", self.a_name), Swatch::Line(ca)),
            LegendItem::new("A: 90% band", Swatch::Band(ca, BAND)),
            LegendItem::new(format!("B: {} (median)", self.b_name), Swatch::Line(cb)),
            LegendItem::new("B: 90% band", Swatch::Band(cb, BAND)),
            LegendItem::new(
                format!("B − A, {}", self.interval_label),
                Swatch::Interval(cd),
            ),
        ];
        let has_data = self.has_data();
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: if has_data { legend } else { Vec::new() },
                note: self.note.clone(),
            },
        )?;
        if !has_data {
            return empty_state(&area, ctx, "No data: the runs have fewer than two quarters");
        }
        let fans = self.panels.iter().flat_map(|p| p.a.iter().chain(&p.b));
        let (Some((x0, x1)), Some((y0, y1)), Some((d0, d1))) = (
            extent(fans.clone().map(|q| q.x)),
            extent(fans.flat_map(|q| [q.p05, q.p95])),
            extent(
                self.panels
                    .iter()
                    .flat_map(|p| &p.difference)
                    .flat_map(|d| [d.low, d.high, 0.0]),
            ),
        ) else {
            return empty_state(&area, ctx, "No data");
        };
        let cells = small_multiples(root, &area, ctx, self.panels.len(), "")?;
        let head = ctx.line_height(t.axis_label_pt);
        for (p, cell) in self.panels.iter().zip(&cells) {
            let (w, h) = cell.area.dim_in_pixel();
            let inner = cell
                .area
                .clone()
                .shrink((0, head), (w as i32, (h as i32 - head).max(1)));
            let top_h = inner.dim_in_pixel().1 as i32 * 3 / 5;
            let (top, bottom) = inner.split_vertically(top_h);
            let x_top = Axis::integers(x0, x1, 6, String::new());
            let y_top = Axis::numeric(y0, y1, 4, self.y_label.clone());
            let mut chart = plot(&top, ctx, &x_top, &y_top, PlotOptions::default())?;
            ctx.record_panel(&p.name, if p.a.len() < 2 { 0 } else { p.a.len() });
            for (fan, c) in [(&p.a, ca), (&p.b, cb)] {
                let band: Vec<(f64, f64)> = fan
                    .iter()
                    .map(|q| (q.x, q.p05))
                    .chain(fan.iter().rev().map(|q| (q.x, q.p95)))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(band, c.mix(BAND).filled())))
                    .map_err(draw_err)?;
                chart
                    .draw_series(LineSeries::new(
                        fan.iter().map(|q| (q.x, q.p50)),
                        ctx.stroke(c, t.line_pt),
                    ))
                    .map_err(draw_err)?;
            }
            let (xr, _) = chart.plotting_area().get_pixel_range();
            let x_bottom = Axis::integers(
                x0,
                x1,
                6,
                if cell.bottom {
                    self.x_label.clone()
                } else {
                    String::new()
                },
            );
            let y_bottom = Axis::numeric(d0, d1, 3, self.difference_label.clone());
            let opts = PlotOptions {
                reserve_x_label: true,
                ..Default::default()
            };
            let mut diff = plot(&bottom, ctx, &x_bottom, &y_bottom, opts)?;
            ctx.record_panel(
                &format!("{}: difference", p.name),
                if p.difference.len() < 2 {
                    0
                } else {
                    p.difference.len()
                },
            );
            dashed(
                &mut diff,
                ctx,
                vec![(x_bottom.lo, 0.0), (x_bottom.hi, 0.0)],
                ctx.stroke(t.muted, 0.75),
            )?;
            error_bars(&mut diff, ctx, &p.difference, cd)?;
            root.draw(&Text::new(
                p.name.clone(),
                (xr.start, cell.area.get_base_pixel().1),
                ctx.bold(t.axis_label_pt)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// Points with vertical error bars (capped) from `low` to `high`.
fn error_bars<DB: DrawingBackend>(
    chart: &mut super::layout::Plot<'_, DB>,
    ctx: &Ctx,
    points: &[DifferencePoint],
    c: RGBColor,
) -> Result<()> {
    let stroke = ctx.stroke(c, ctx.theme.line_pt * 0.8);
    // Caps of 2 pt either side, in data units of the x axis.
    let (xr, _) = chart.plotting_area().get_pixel_range();
    let span = chart.x_range();
    let per_px = (span.end - span.start) / (xr.end - xr.start).max(1) as f64;
    let cap = ctx.px(2.0) * per_px;
    chart
        .draw_series(points.iter().flat_map(|d| {
            [
                PathElement::new(vec![(d.x, d.low), (d.x, d.high)], stroke),
                PathElement::new(vec![(d.x - cap, d.low), (d.x + cap, d.low)], stroke),
                PathElement::new(vec![(d.x - cap, d.high), (d.x + cap, d.high)], stroke),
            ]
        }))
        .map_err(draw_err)?;
    chart
        .draw_series(
            points
                .iter()
                .map(|d| Circle::new((d.x, d.mean), ctx.pxi(1.8), c.filled())),
        )
        .map_err(draw_err)?;
    Ok(())
}

/// Quantiles (5, 25, 50, 75, 95%) of `xs` as a fan point at `x`.
fn fan_point(x: f64, xs: &[f64]) -> FanPoint {
    let q = sim::stats::quantiles(xs, &[0.05, 0.25, 0.5, 0.75, 0.95]);
    FanPoint {
        x,
        p05: q[0],
        p25: q[1],
        p50: q[2],
        p75: q[3],
        p95: q[4],
    }
}

/// One panel from per-path series: `a[i][t]` and `b[i][t]` for path `i`, quarter `t + 1`, in
/// plotted units.
fn panel(name: &str, a: &[Vec<f64>], b: &[Vec<f64>]) -> Result<PairedPanel> {
    let quarters = a.iter().chain(b).map(Vec::len).min().unwrap_or(0);
    let mut out = PairedPanel {
        name: name.to_string(),
        ..Default::default()
    };
    for t in 0..quarters {
        let at: Vec<f64> = a.iter().map(|p| p[t]).collect();
        let bt: Vec<f64> = b.iter().map(|p| p[t]).collect();
        let x = (t + 1) as f64;
        let d = sim::stats::paired_difference(&at, &bt, CONFIDENCE).map_err(|e| {
            Error::InvalidInput {
                chart: "paired fan",
                message: e.to_string(),
            }
        })?;
        out.a.push(fan_point(x, &at));
        out.b.push(fan_point(x, &bt));
        out.difference.push(DifferencePoint {
            x,
            mean: d.mean,
            low: d.low,
            high: d.high,
        });
    }
    Ok(out)
}

/// The credit gap share of every region (and of all regions together) in scenario `b` against
/// the reference `a`, per quarter: both fans overlaid, and the paired difference in percentage
/// points with its 95% interval. Regions are matched by name; the runs must hold the same paths
/// (common random numbers).
pub fn paired_region_fan(
    a_scenario: &Scenario,
    a: &[PathResult],
    b_scenario: &Scenario,
    b: &[PathResult],
    a_labels: &Labels,
    b_labels: &Labels,
) -> Result<PairedFanChart> {
    if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.path != y.path) {
        return Err(Error::InvalidInput {
            chart: "paired fan",
            message: format!(
                "the runs must hold the same paths to be paired ({} and {} paths)",
                a.len(),
                b.len()
            ),
        });
    }
    let share = |gap: f64, demand: f64| {
        if demand > 0.0 {
            100.0 * gap / demand
        } else {
            0.0
        }
    };
    let total = |paths: &[PathResult]| -> Vec<Vec<f64>> {
        paths
            .iter()
            .map(|p| {
                p.quarters
                    .iter()
                    .map(|q| 100.0 * q.credit_gap_share)
                    .collect()
            })
            .collect()
    };
    let mut panels = vec![panel("All regions", &total(a), &total(b))?];
    let (ra, rb) = (a_scenario.regions.len(), b_scenario.regions.len());
    if ra > 1 {
        for (i, region) in a_scenario.regions.iter().enumerate() {
            let Some(j) = b_scenario
                .regions
                .iter()
                .position(|r| r.name == region.name)
            else {
                continue;
            };
            let series = |paths: &[PathResult], r: usize, n: usize| -> Vec<Vec<f64>> {
                paths
                    .iter()
                    .map(|p| {
                        (1..=p.quarters.len() as u32)
                            .map(|t| {
                                p.region(t, r, n)
                                    .map_or(0.0, |x| share(x.credit_gap, x.creditworthy_demand))
                            })
                            .collect()
                    })
                    .collect()
            };
            panels.push(panel(&region.name, &series(a, i, ra), &series(b, j, rb))?);
        }
    }
    let name = |l: &Labels, d: &str| {
        if l.scenario.is_empty() {
            d.to_string()
        } else {
            l.scenario.clone()
        }
    };
    let (an, bn) = (name(a_labels, "A"), name(b_labels, "B"));
    Ok(PairedFanChart {
        title: format!("Credit gap share by region: {bn} (B) against {an} (A)"),
        subtitle: Some(format!(
            "Top: median and 90% band across {} paths. Below: mean paired difference B − A per quarter, {:.0}% confidence interval",
            a.len(),
            CONFIDENCE * 100.0
        )),
        note: Some(
            "Credit gap share: creditworthy demand left unfunded over creditworthy demand.".into(),
        ),
        x_label: "Quarter".into(),
        y_label: "Gap (%)".into(),
        difference_label: "Δ (pp)".into(),
        a_name: an,
        b_name: bn,
        interval_label: format!("{:.0}% CI", CONFIDENCE * 100.0),
        panels,
    })
}
