//! Herding measures over time against their independence baselines.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sim::aggregate::Aggregates;

use super::error::Result;
use super::fan::{FanPoint, fan_points, find_quarter_measure, quantile};
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PlotOptions, Swatch, check_finite, dashed, empty_state, extent,
    frame, plot,
};
use super::render::{Chart, csv_table, draw_err, num, render};
use super::style::{Labels, Output, Theme, UnitAxis};

/// One herding measure: its fan across paths and its independence baseline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HerdingPanel {
    /// Panel title, e.g. `Decision agreement`.
    pub name: String,
    /// Y axis label with its unit.
    pub y_label: String,
    /// The measure's quantiles per quarter, in plotted units.
    pub measure: Vec<FanPoint>,
    /// The baseline per quarter `(x, value)` (median across paths), in plotted units.
    pub baseline: Vec<(f64, f64)>,
}

/// Input of [`herding_chart`]: panels side by side (stacked when the figure is taller than wide).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HerdingChart {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// X axis label.
    pub x_label: String,
    /// The panels. None, or all empty: an empty-state chart is drawn.
    pub panels: Vec<HerdingPanel>,
}

/// Writes a herding chart: `<stem>.svg`/`.png` and `<stem>.csv` with columns
/// `panel,x,p05,p25,p50,p75,p95,baseline`.
pub fn herding_chart(
    chart: &HerdingChart,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

impl Chart for HerdingChart {
    const KIND: &'static str = "herding";

    fn validate(&self) -> Result<()> {
        for p in &self.panels {
            check_finite(
                Self::KIND,
                &format!("panel `{}` measure", p.name),
                p.measure
                    .iter()
                    .flat_map(|q| [&q.x, &q.p05, &q.p25, &q.p50, &q.p75, &q.p95]),
            )?;
            check_finite(
                Self::KIND,
                &format!("panel `{}` baseline", p.name),
                p.baseline.iter().flat_map(|(x, y)| [x, y]),
            )?;
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut rows = Vec::new();
        for p in &self.panels {
            for q in &p.measure {
                let base = p
                    .baseline
                    .iter()
                    .find(|(x, _)| *x == q.x)
                    .map_or(String::new(), |(_, y)| num(*y));
                rows.push(vec![
                    p.name.clone(),
                    num(q.x),
                    num(q.p05),
                    num(q.p25),
                    num(q.p50),
                    num(q.p75),
                    num(q.p95),
                    base,
                ]);
            }
        }
        Ok(vec![(
            String::new(),
            csv_table(
                &["panel", "x", "p05", "p25", "p50", "p75", "p95", "baseline"],
                rows,
            )?,
        )])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let has_data = self.panels.iter().any(|p| !p.measure.is_empty());
        let legend = vec![
            LegendItem::new("median across paths", Swatch::Line(t.color(0))),
            LegendItem::new("50% band", Swatch::Band(t.color(0), 1.0 - 0.82 * 0.70)),
            LegendItem::new("90% band", Swatch::Band(t.color(0), 0.18)),
            LegendItem::new("independence baseline", Swatch::Dashed(t.color(7))),
        ];
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
            return empty_state(&area, ctx, "No data: the run has no paths or no quarters");
        }
        let (w, h) = area.dim_in_pixel();
        let n = self.panels.len();
        let grid = if w >= h { (1, n) } else { (n, 1) };
        let head = ctx.line_height(t.axis_label_pt);
        for (p, cell) in self.panels.iter().zip(area.split_evenly(grid)) {
            let (cw, ch) = cell.dim_in_pixel();
            let inner = cell
                .clone()
                .shrink((0, head), (cw as i32, (ch as i32 - head).max(1)));
            let Some((x0, x1)) = extent(p.measure.iter().map(|q| q.x)) else {
                empty_state(&inner, ctx, "No data")?;
                continue;
            };
            let (y0, y1) = extent(
                p.measure
                    .iter()
                    .flat_map(|q| [q.p05, q.p95])
                    .chain(p.baseline.iter().map(|b| b.1)),
            )
            .unwrap_or((0.0, 1.0));
            let x_axis = Axis::integers(
                x0,
                x1,
                if grid.0 == 1 { 6 } else { 12 },
                self.x_label.clone(),
            );
            let y_axis = Axis::numeric(y0, y1, 4, p.y_label.clone());
            let mut chart = plot(&inner, ctx, &x_axis, &y_axis, PlotOptions::default())?;
            ctx.record_panel(
                &p.name,
                if p.measure.len() < 2 {
                    0
                } else {
                    p.measure.len()
                },
            );
            let c = t.color(0);
            let poly = |lo: fn(&FanPoint) -> f64, hi: fn(&FanPoint) -> f64| -> Vec<(f64, f64)> {
                p.measure
                    .iter()
                    .map(|q| (q.x, lo(q)))
                    .chain(p.measure.iter().rev().map(|q| (q.x, hi(q))))
                    .collect()
            };
            chart
                .draw_series([
                    Polygon::new(poly(|q| q.p05, |q| q.p95), c.mix(0.18).filled()),
                    Polygon::new(poly(|q| q.p25, |q| q.p75), c.mix(0.30).filled()),
                ])
                .map_err(draw_err)?;
            chart
                .draw_series(LineSeries::new(
                    p.measure.iter().map(|q| (q.x, q.p50)),
                    ctx.stroke(c, t.line_pt),
                ))
                .map_err(draw_err)?;
            if !p.baseline.is_empty() {
                dashed(
                    &mut chart,
                    ctx,
                    p.baseline.clone(),
                    ctx.stroke(t.color(7), t.line_pt),
                )?;
            }
            let (xr, _) = chart.plotting_area().get_pixel_range();
            root.draw(&Text::new(
                p.name.clone(),
                (xr.start, cell.get_base_pixel().1),
                ctx.bold(t.axis_label_pt)
                    .pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// Decision agreement, systemic rejection and LSV herding per quarter, each against its
/// independence baseline (the engine's `*_baseline` measures; LSV is 0 under independence).
pub fn herding_from_aggregates(agg: &Aggregates, labels: &Labels) -> Result<HerdingChart> {
    let mut panels = Vec::new();
    for (measure, baseline, name) in [
        (
            "decision_agreement",
            Some("decision_agreement_baseline"),
            "Decision agreement",
        ),
        (
            "systemic_rejection",
            Some("systemic_rejection_baseline"),
            "Systemic rejection",
        ),
        ("lsv", None, "LSV herding"),
    ] {
        let stats = find_quarter_measure(agg, measure)?;
        let unit = UnitAxis::for_unit(&stats.unit, labels.currency.as_deref());
        let points = fan_points(stats, unit.scale, agg.paths)?;
        let base: Vec<(f64, f64)> = match baseline {
            Some(b) => {
                let bs = find_quarter_measure(agg, b)?;
                if agg.paths == 0 {
                    Vec::new()
                } else {
                    bs.quarters
                        .iter()
                        .enumerate()
                        .map(|(t, s)| {
                            (
                                (t + 1) as f64,
                                quantile(s, 0.5).unwrap_or(s.mean) * unit.scale,
                            )
                        })
                        .collect()
                }
            }
            None => points.iter().map(|p| (p.x, 0.0)).collect(),
        };
        panels.push(HerdingPanel {
            name: name.into(),
            y_label: unit.label.clone(),
            measure: points,
            baseline: base,
        });
    }
    Ok(HerdingChart {
        title: labels.title("Herding measures against independence"),
        subtitle: Some(format!(
            "{} paths; baseline: the same measure with every bank's model error drawn independently",
            agg.paths
        )),
        note: Some(
            "Decision agreement: mean pairwise correlation of decisions on probe firms. Systemic rejection: creditworthy applicants rejected by every bank asked.".into(),
        ),
        x_label: "Quarter".into(),
        panels,
    })
}
