//! Histograms of a per-path measure, with VaR and expected shortfall marked.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use sim::aggregate::TAIL_LEVELS;
use sim::results::{PathResult, PathSummary};

use super::error::{Error, Result};
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PlotOptions, Swatch, check_finite, dashed, empty_state, extent,
    fmt_number, frame, nice_ticks, plot,
};
use super::render::{Chart, csv_table, draw_err, num, render};
use super::style::{Labels, Output, Theme, UnitAxis, measure_label};

/// A vertical line marking a value, e.g. `VaR 99%`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marker {
    /// Legend text (the value is appended).
    pub label: String,
    /// Position, in plotted units.
    pub value: f64,
}

/// Input of [`histogram_chart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistogramChart {
    /// Title (name the measure and the scenario).
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// X axis label with its unit.
    pub x_label: String,
    /// One value per path, in plotted units. Empty: an empty-state chart is drawn.
    pub values: Vec<f64>,
    /// Number of bins (0: Rice's rule, 2 n^(1/3), between 5 and 50).
    pub bins: usize,
    /// Vertical markers (VaR, expected shortfall), drawn dashed in palette order from the second
    /// colour.
    pub markers: Vec<Marker>,
}

impl HistogramChart {
    /// The bins drawn: `(low, high, paths)` per bin, on the same edges as the written chart.
    pub fn bin_counts(&self) -> Vec<(f64, f64, usize)> {
        bins(&self.values, self.bins)
    }

    /// Whether the values differ (a histogram of one value repeated, such as losses of 0 on
    /// every path, shows nothing and is better left out).
    pub fn has_spread(&self) -> bool {
        extent(self.values.iter().copied()).is_some_and(|(lo, hi)| hi > lo)
    }
}

/// Writes a histogram: `<stem>.svg`/`.png`, `<stem>.csv` (`bin_low,bin_high,paths`),
/// `<stem>-markers.csv` (`marker,value`) and `<stem>-values.csv` (`index,value`).
pub fn histogram_chart(
    chart: &HistogramChart,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

/// Bin edges and counts.
fn bins(values: &[f64], wanted: usize) -> Vec<(f64, f64, usize)> {
    let Some((lo, hi)) = extent(values.iter().copied()) else {
        return Vec::new();
    };
    let n = if wanted > 0 {
        wanted.min(1000)
    } else {
        ((2.0 * (values.len() as f64).cbrt()).round() as usize).clamp(5, 50)
    };
    let (lo, hi) = if hi > lo {
        let (_, _, ticks, _) = nice_ticks(lo, hi, n);
        // Edges on a nice grid: as many bins as the nice ticks give.
        let step = (ticks.get(1).copied().unwrap_or(hi) - ticks[0]).max(f64::MIN_POSITIVE);
        let first = (lo / step).floor() * step;
        let count = (((hi - first) / step).floor() as usize + 1).max(1);
        return (0..count)
            .map(|k| {
                let a = first + k as f64 * step;
                let b = a + step;
                let c = values
                    .iter()
                    .filter(|&&v| v >= a && (v < b || (k + 1 == count && v <= b)))
                    .count();
                (a, b, c)
            })
            .collect();
    } else {
        let pad = if lo == 0.0 { 0.5 } else { lo.abs() * 0.05 };
        (lo - pad, hi + pad)
    };
    vec![(lo, hi, values.len())]
}

impl Chart for HistogramChart {
    const KIND: &'static str = "histogram";

    fn validate(&self) -> Result<()> {
        check_finite(Self::KIND, "values", &self.values)?;
        check_finite(Self::KIND, "markers", self.markers.iter().map(|m| &m.value))
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let b = bins(&self.values, self.bins)
            .into_iter()
            .map(|(a, b, c)| vec![num(a), num(b), c.to_string()])
            .collect();
        let m = self
            .markers
            .iter()
            .map(|m| vec![m.label.clone(), num(m.value)])
            .collect();
        let v = self
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| vec![i.to_string(), num(*v)])
            .collect();
        Ok(vec![
            (
                String::new(),
                csv_table(&["bin_low", "bin_high", "paths"], b)?,
            ),
            ("-markers".into(), csv_table(&["marker", "value"], m)?),
            ("-values".into(), csv_table(&["index", "value"], v)?),
        ])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let hist = bins(&self.values, self.bins);
        let x_ext = extent(
            hist.iter()
                .flat_map(|b| [b.0, b.1])
                .chain(self.markers.iter().map(|m| m.value)),
        );
        let (x_axis_tmp, decimals) = match x_ext {
            Some((lo, hi)) => {
                let a = Axis::numeric(lo, hi, 6, self.x_label.clone());
                let d = match a.format {
                    super::layout::TickFormat::Decimals(d) => d,
                    _ => 2,
                };
                (Some(a), d)
            }
            None => (None, 2),
        };
        let mut legend = vec![LegendItem::new(
            "Paths per bin",
            Swatch::Band(t.color(0), 0.6),
        )];
        for (i, m) in self.markers.iter().enumerate() {
            legend.push(LegendItem::new(
                format!("{} = {}", m.label, fmt_number(m.value, decimals + 1)),
                Swatch::Dashed(t.color(i + 1)),
            ));
        }
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: if hist.is_empty() { Vec::new() } else { legend },
                note: self.note.clone(),
            },
        )?;
        let Some(x_axis) = x_axis_tmp else {
            return empty_state(&area, ctx, "No data: the run has no paths");
        };
        let max_count = hist.iter().map(|b| b.2).max().unwrap_or(1).max(1);
        let mut y_axis = Axis::numeric(0.0, max_count as f64 * 1.05, 5, "Paths");
        if let super::layout::TickFormat::Decimals(d) = &mut y_axis.format {
            // Counts are whole numbers; drop ticks between them.
            if *d > 0 {
                y_axis.ticks.retain(|v| v.fract() == 0.0);
                *d = 0;
            }
        }
        let mut chart = plot(
            &area,
            ctx,
            &x_axis,
            &y_axis,
            PlotOptions {
                no_x_grid: true,
                ..Default::default()
            },
        )?;
        ctx.record_panel(
            &self.title,
            if self.has_spread() {
                self.values.len()
            } else {
                0
            },
        );
        let fill = t.color(0).mix(0.6);
        let edge = ctx.stroke(t.background, 0.5);
        chart
            .draw_series(hist.iter().filter(|b| b.2 > 0).flat_map(|&(a, b, c)| {
                [
                    Rectangle::new([(a, 0.0), (b, c as f64)], fill.filled()),
                    Rectangle::new([(a, 0.0), (b, c as f64)], edge),
                ]
            }))
            .map_err(draw_err)?;
        for (i, m) in self.markers.iter().enumerate() {
            dashed(
                &mut chart,
                ctx,
                vec![(m.value, 0.0), (m.value, y_axis.hi)],
                ctx.stroke(t.color(i + 1), t.line_pt),
            )?;
        }
        Ok(())
    }
}

/// A histogram of one per-path measure (any of `PathSummary::MEASURES`, e.g. `bank_losses`,
/// `credit_gap`, `credit_gap_share`), with VaR and expected shortfall at 95% and 99% from
/// `sim::stats::tail_risk`. Shares are shown in percent; money in `labels.currency`.
pub fn histogram_from_paths(
    paths: &[PathResult],
    measure: &str,
    labels: &Labels,
) -> Result<HistogramChart> {
    let info = PathSummary::MEASURES
        .iter()
        .find(|m| m.name == measure)
        .ok_or_else(|| Error::UnknownMeasure {
            name: measure.to_string(),
            available: PathSummary::MEASURES
                .iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let unit = UnitAxis::for_unit(info.unit, labels.currency.as_deref());
    let raw: Vec<f64> = paths
        .iter()
        .filter_map(|p| p.summary.get(measure))
        .collect();
    let mut markers = Vec::new();
    if !raw.is_empty() {
        for level in TAIL_LEVELS {
            let tr = sim::stats::tail_risk(&raw, level);
            let pct = (level * 100.0).round();
            markers.push(Marker {
                label: format!("VaR {pct}%"),
                value: tr.var * unit.scale,
            });
            markers.push(Marker {
                label: format!("ES {pct}%"),
                value: tr.es * unit.scale,
            });
        }
    }
    let pretty = measure_label(measure, PathSummary::MEASURES);
    Ok(HistogramChart {
        title: labels.title(&format!("{pretty} across paths")),
        subtitle: Some(format!(
            "{} paths; value at risk (VaR) and expected shortfall (ES, mean beyond VaR) marked",
            raw.len()
        )),
        note: Some(format!("{pretty}: {}", info.doc)),
        x_label: unit.axis_label(&pretty),
        values: raw.iter().map(|v| v * unit.scale).collect(),
        bins: 0,
        markers,
    })
}
