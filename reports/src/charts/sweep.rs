//! Parameter sweeps: a heatmap over two parameters and line charts over one.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::error::{Error, Result};
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PlotOptions, Swatch, check_finite, colorbar, colorbar_width,
    empty_state, extent, fmt_number, frame, plot, text_width,
};
use super::render::{Chart, csv_table, draw_err, num, render};
use super::style::{Output, Theme, luminance, viridis};

/// Input of [`sweep_heatmap`]: a measure over a grid of two parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepGrid {
    /// Title (name the measure and the scenario).
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// Name of the x parameter (axis label, and CSV column).
    pub x_param: String,
    /// Its values, left to right.
    pub x_values: Vec<f64>,
    /// Name of the y parameter.
    pub y_param: String,
    /// Its values, bottom to top.
    pub y_values: Vec<f64>,
    /// The measure with its unit, for the colour bar.
    pub measure: String,
    /// `values[y][x]`: the measure's mean at `(x_values[x], y_values[y])`. Empty: an empty-state
    /// chart is drawn.
    pub values: Vec<Vec<f64>>,
    /// Optional lower ends of intervals, same shape (exported to CSV only).
    pub low: Option<Vec<Vec<f64>>>,
    /// Optional upper ends of intervals, same shape (exported to CSV only).
    pub high: Option<Vec<Vec<f64>>>,
}

/// Writes a sweep heatmap: `<stem>.svg`/`.png` and `<stem>.csv` with columns
/// `<x_param>,<y_param>,mean,low,high`.
pub fn sweep_heatmap(
    chart: &SweepGrid,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

fn shape_check(
    chart: &'static str,
    field: &str,
    m: &[Vec<f64>],
    rows: usize,
    cols: usize,
) -> Result<()> {
    if m.len() != rows || m.iter().any(|r| r.len() != cols) {
        return Err(Error::InvalidInput {
            chart,
            message: format!("{field} must be {rows} rows of {cols} values"),
        });
    }
    for (i, r) in m.iter().enumerate() {
        check_finite(chart, &format!("{field}[{i}]"), r)?;
    }
    Ok(())
}

/// Labels for parameter values: the fewest decimals (the same for all) that show every value
/// exactly (to 1e-9 relative).
fn value_labels(values: &[f64]) -> Vec<String> {
    for d in 0..=6 {
        let f = 10f64.powi(d as i32);
        let exact = values
            .iter()
            .all(|v| ((v * f).round() / f - v).abs() <= 1e-9 * v.abs().max(1.0));
        if exact {
            return values.iter().map(|v| fmt_number(*v, d)).collect();
        }
    }
    values.iter().map(|v| format!("{v}")).collect()
}

impl Chart for SweepGrid {
    const KIND: &'static str = "sweep heatmap";

    fn validate(&self) -> Result<()> {
        check_finite(Self::KIND, "x_values", &self.x_values)?;
        check_finite(Self::KIND, "y_values", &self.y_values)?;
        if self.values.is_empty() && (self.x_values.is_empty() || self.y_values.is_empty()) {
            return Ok(());
        }
        let (r, c) = (self.y_values.len(), self.x_values.len());
        shape_check(Self::KIND, "values", &self.values, r, c)?;
        if let Some(l) = &self.low {
            shape_check(Self::KIND, "low", l, r, c)?;
        }
        if let Some(h) = &self.high {
            shape_check(Self::KIND, "high", h, r, c)?;
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut rows = Vec::new();
        for (yi, y) in self.y_values.iter().enumerate() {
            for (xi, x) in self.x_values.iter().enumerate() {
                let get = |m: &Option<Vec<Vec<f64>>>| {
                    m.as_ref()
                        .and_then(|m| m.get(yi)?.get(xi).copied())
                        .map_or(String::new(), num)
                };
                let mean = self
                    .values
                    .get(yi)
                    .and_then(|r| r.get(xi))
                    .map_or(String::new(), |v| num(*v));
                rows.push(vec![
                    num(*x),
                    num(*y),
                    mean,
                    get(&self.low),
                    get(&self.high),
                ]);
            }
        }
        Ok(vec![(
            String::new(),
            csv_table(&[&self.x_param, &self.y_param, "mean", "low", "high"], rows)?,
        )])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: Vec::new(),
                note: self.note.clone(),
            },
        )?;
        let Some((lo, hi)) = extent(self.values.iter().flatten().copied()) else {
            return empty_state(&area, ctx, "No data: the sweep has no points");
        };
        let scale = Axis::numeric(lo, hi, 5, self.measure.clone());
        let bar_w = colorbar_width(&area, ctx, &scale);
        let x_axis = Axis::categories(value_labels(&self.x_values), self.x_param.clone());
        let y_axis = Axis::categories(value_labels(&self.y_values), self.y_param.clone());
        let mut chart = plot(
            &area,
            ctx,
            &x_axis,
            &y_axis,
            PlotOptions {
                no_x_grid: true,
                no_y_grid: true,
                right_px: bar_w + ctx.pxi(8.0),
                ..Default::default()
            },
        )?;
        ctx.record_panel(&self.title, self.values.iter().flatten().count());
        let span = scale.hi - scale.lo;
        let color = |v: f64| {
            viridis(if span > 0.0 {
                (v - scale.lo) / span
            } else {
                0.5
            })
        };
        let mut cells = Vec::new();
        for (yi, row) in self.values.iter().enumerate() {
            for (xi, &v) in row.iter().enumerate() {
                cells.push((xi as f64, yi as f64, v));
            }
        }
        chart
            .draw_series(cells.iter().map(|&(x, y, v)| {
                Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], color(v).filled())
            }))
            .map_err(draw_err)?;
        // Values in the cells when they fit.
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let cell_w = (xr.end - xr.start) / self.x_values.len().max(1) as i32;
        let cell_h = (yr.end - yr.start) / self.y_values.len().max(1) as i32;
        let decimals = match &scale.format {
            super::layout::TickFormat::Decimals(d) => *d + 1,
            _ => 2,
        };
        let font = ctx.font(t.tick_pt);
        let fits = cells
            .iter()
            .all(|c| text_width(&area, &fmt_number(c.2, decimals), &font) < cell_w - ctx.pxi(2.0))
            && cell_h > ctx.line_height(t.tick_pt);
        if fits {
            for &(x, y, v) in &cells {
                let ink = if luminance(color(v)) > 0.5 {
                    BLACK
                } else {
                    WHITE
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        fmt_number(v, decimals),
                        (x, y),
                        font.color(&ink).pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(draw_err)?;
            }
        }
        colorbar(
            root,
            ctx,
            &scale,
            (xr.end + ctx.pxi(10.0), yr.start, yr.end),
            viridis,
        )
    }
}

/// One line of [`SweepLines`]: means over the parameter values with an optional band.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepSeries {
    /// Legend name.
    pub name: String,
    /// Mean per parameter value.
    pub mean: Vec<f64>,
    /// Lower end of the band per value (with `high`).
    pub low: Option<Vec<f64>>,
    /// Upper end of the band per value (with `low`).
    pub high: Option<Vec<f64>>,
}

/// Input of [`sweep_line`]: measures over the values of one parameter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepLines {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// Parameter name (x axis label and CSV column).
    pub param: String,
    /// Parameter values, increasing.
    pub values: Vec<f64>,
    /// Y axis label with its unit.
    pub y_label: String,
    /// What the bands are, for the legend, e.g. `95% confidence interval`.
    pub band_label: String,
    /// The lines. None, or no values: an empty-state chart is drawn.
    pub series: Vec<SweepSeries>,
}

/// Writes a sweep line chart: `<stem>.svg`/`.png` and `<stem>.csv` with columns
/// `series,<param>,mean,low,high`.
pub fn sweep_line(
    chart: &SweepLines,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

impl Chart for SweepLines {
    const KIND: &'static str = "sweep line";

    fn validate(&self) -> Result<()> {
        check_finite(Self::KIND, "values", &self.values)?;
        let n = self.values.len();
        for s in &self.series {
            for (field, v) in [
                ("mean", Some(&s.mean)),
                ("low", s.low.as_ref()),
                ("high", s.high.as_ref()),
            ] {
                if let Some(v) = v {
                    if v.len() != n {
                        return Err(Error::InvalidInput {
                            chart: Self::KIND,
                            message: format!(
                                "series `{}` {field} has {} values for {n} parameter values",
                                s.name,
                                v.len()
                            ),
                        });
                    }
                    check_finite(Self::KIND, &format!("series `{}` {field}", s.name), v)?;
                }
            }
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut rows = Vec::new();
        for s in &self.series {
            for (i, x) in self.values.iter().enumerate() {
                let get = |m: &Option<Vec<f64>>| {
                    m.as_ref()
                        .and_then(|m| m.get(i))
                        .map_or(String::new(), |v| num(*v))
                };
                rows.push(vec![
                    s.name.clone(),
                    num(*x),
                    s.mean.get(i).map_or(String::new(), |v| num(*v)),
                    get(&s.low),
                    get(&s.high),
                ]);
            }
        }
        Ok(vec![(
            String::new(),
            csv_table(&["series", &self.param, "mean", "low", "high"], rows)?,
        )])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let mut legend: Vec<LegendItem> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem::new(s.name.clone(), Swatch::Line(t.color(i))))
            .collect();
        if self
            .series
            .iter()
            .any(|s| s.low.is_some() && s.high.is_some())
        {
            legend.push(LegendItem::new(
                self.band_label.clone(),
                Swatch::Band(t.muted, 0.25),
            ));
        }
        let empty = self.values.is_empty() || self.series.is_empty();
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: if empty { Vec::new() } else { legend },
                note: self.note.clone(),
            },
        )?;
        let (Some((x0, x1)), Some((y0, y1))) = (
            extent(self.values.iter().copied()),
            extent(self.series.iter().flat_map(|s| {
                s.mean
                    .iter()
                    .chain(s.low.iter().flatten())
                    .chain(s.high.iter().flatten())
                    .copied()
            })),
        ) else {
            return empty_state(&area, ctx, "No data: the sweep has no points");
        };
        let x_axis = Axis::numeric_exact(x0, x1, 6, self.param.clone());
        let x_axis = if x_axis.ticks.len() < 2 {
            Axis::numeric(x0, x1, 6, self.param.clone())
        } else {
            x_axis
        };
        let y_axis = Axis::numeric(y0, y1, 5, self.y_label.clone());
        let mut chart = plot(&area, ctx, &x_axis, &y_axis, PlotOptions::default())?;
        ctx.record_panel(
            &self.title,
            self.series
                .iter()
                .map(|s| s.mean.iter().filter(|v| v.is_finite()).count())
                .sum(),
        );
        for (i, s) in self.series.iter().enumerate() {
            let c = t.color(i);
            if let (Some(lo), Some(hi)) = (&s.low, &s.high) {
                let poly: Vec<(f64, f64)> = self
                    .values
                    .iter()
                    .zip(lo)
                    .map(|(x, y)| (*x, *y))
                    .chain(self.values.iter().zip(hi).rev().map(|(x, y)| (*x, *y)))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.2).filled())))
                    .map_err(draw_err)?;
            }
            let pts: Vec<(f64, f64)> = self
                .values
                .iter()
                .copied()
                .zip(s.mean.iter().copied())
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), ctx.stroke(c, t.line_pt)))
                .map_err(draw_err)?;
            chart
                .draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, ctx.pxi(2.0), c.filled())),
                )
                .map_err(draw_err)?;
        }
        Ok(())
    }
}
