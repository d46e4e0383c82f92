//! Loss attribution by channel, as stacked bars (losses up, gains down) with the net total.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use sim::aggregate::Aggregates;
use sim::results::PathResult;
use sim::scenario::Scenario;

use super::error::{Error, Result};
use super::fan::find_quarter_measure;
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PlotOptions, Swatch, check_finite, empty_state, extent, frame,
    plot,
};
use super::render::{Chart, csv_table, draw_err, num, render};
use super::style::{Labels, Output, Theme, UnitAxis};

/// The loss channels: engine measure or field, and display name.
const CHANNELS: [(&str, &str); 5] = [
    ("loss_credit", "Credit"),
    ("loss_bonds", "Bonds"),
    ("loss_interbank", "Interbank"),
    ("loss_fire_sales", "Fire sales"),
    ("loss_shock", "Shocks"),
];

/// Input of [`attribution_chart`]: one stacked bar per category, one segment per channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttributionChart {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// X axis label (what the categories are).
    pub x_label: String,
    /// Y axis label with its unit.
    pub y_label: String,
    /// Bar names, left to right (quarters, banks). Empty: an empty-state chart is drawn.
    pub categories: Vec<String>,
    /// Channel names, stacked from the axis outwards.
    pub channels: Vec<String>,
    /// `values[channel][category]`, in plotted units; negative values (gains) stack below zero.
    pub values: Vec<Vec<f64>>,
}

impl AttributionChart {
    /// The palette index of channel `i`: the engine's channels keep one colour in every chart
    /// (credit, bonds, interbank, fire sales, shocks), whichever of them a chart leaves out;
    /// other channels take the palette colours after those, in order.
    fn colour_of(&self, i: usize) -> usize {
        let name = self.channels.get(i).map(String::as_str).unwrap_or("");
        CHANNELS
            .iter()
            .position(|c| c.1 == name)
            .unwrap_or(CHANNELS.len() + i)
    }
}

/// Writes a loss attribution chart: `<stem>.svg`/`.png` and `<stem>.csv` with columns
/// `category,channel,value`.
pub fn attribution_chart(
    chart: &AttributionChart,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

impl Chart for AttributionChart {
    const KIND: &'static str = "attribution";

    fn validate(&self) -> Result<()> {
        if self.values.len() != self.channels.len() {
            return Err(Error::InvalidInput {
                chart: Self::KIND,
                message: format!(
                    "values has {} rows but there are {} channels",
                    self.values.len(),
                    self.channels.len()
                ),
            });
        }
        for (c, row) in self.channels.iter().zip(&self.values) {
            if row.len() != self.categories.len() {
                return Err(Error::InvalidInput {
                    chart: Self::KIND,
                    message: format!(
                        "channel `{c}` has {} values but there are {} categories",
                        row.len(),
                        self.categories.len()
                    ),
                });
            }
            check_finite(Self::KIND, &format!("values of `{c}`"), row)?;
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut rows = Vec::new();
        for (k, cat) in self.categories.iter().enumerate() {
            for (c, ch) in self.channels.iter().enumerate() {
                rows.push(vec![cat.clone(), ch.clone(), num(self.values[c][k])]);
            }
        }
        Ok(vec![(
            String::new(),
            csv_table(&["category", "channel", "value"], rows)?,
        )])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let mut legend: Vec<LegendItem> = self
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| LegendItem::new(c.clone(), Swatch::Box(t.color(self.colour_of(i)))))
            .collect();
        legend.push(LegendItem::new("Net total", Swatch::Dot(t.color(7))));
        let empty = self.categories.is_empty() || self.channels.is_empty();
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
        if empty {
            return empty_state(&area, ctx, "No data: no losses to attribute");
        }
        let n = self.categories.len();
        let (mut pos, mut neg) = (vec![0.0; n], vec![0.0; n]);
        let mut segments = Vec::new();
        for (c, row) in self.values.iter().enumerate() {
            for (k, &v) in row.iter().enumerate() {
                let base = if v >= 0.0 { &mut pos[k] } else { &mut neg[k] };
                segments.push((c, k, *base, *base + v));
                *base += v;
            }
        }
        let totals: Vec<f64> = (0..n).map(|k| pos[k] + neg[k]).collect();
        let (y0, y1) = extent(pos.iter().chain(&neg).copied().chain([0.0])).unwrap_or((0.0, 1.0));
        // Gains too small to see (under 1% of the largest loss) do not stretch the axis below 0.
        let y0 = if y0 < 0.0 && -y0 < 0.01 * y1 { 0.0 } else { y0 };
        let x_axis = Axis::categories(self.categories.clone(), self.x_label.clone());
        let y_axis = Axis::numeric(y0, y1, 5, self.y_label.clone());
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
        ctx.record_panel(&self.title, segments.iter().filter(|s| s.2 != s.3).count());
        let half = 0.36;
        chart
            .draw_series(segments.iter().filter(|s| s.2 != s.3).map(|&(c, k, a, b)| {
                let x = k as f64;
                Rectangle::new(
                    [(x - half, a), (x + half, b)],
                    t.color(self.colour_of(c)).filled(),
                )
            }))
            .map_err(draw_err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
                ctx.stroke(t.ink, 0.6),
            )))
            .map_err(draw_err)?;
        let r = ctx.pxi(2.2);
        chart
            .draw_series(totals.iter().enumerate().flat_map(|(k, &v)| {
                [
                    Circle::new((k as f64, v), r, t.background.filled()),
                    Circle::new((k as f64, v), (r * 2 / 3).max(1), t.color(7).filled()),
                ]
            }))
            .map_err(draw_err)?;
        Ok(())
    }
}

fn drop_empty_channels(chart: &mut AttributionChart) -> Vec<String> {
    let mut dropped = Vec::new();
    let mut k = 0;
    while k < chart.channels.len() {
        if chart.values[k].iter().all(|v| *v == 0.0) {
            dropped.push(chart.channels.remove(k));
            chart.values.remove(k);
        } else {
            k += 1;
        }
    }
    dropped
}

fn omitted_note(dropped: &[String]) -> Option<String> {
    (!dropped.is_empty()).then(|| {
        format!(
            "Channels without losses on any path are omitted: {}.",
            dropped.join(", ")
        )
    })
}

/// Mean losses per quarter by channel (credit, bonds, interbank, fire sales, shocks) across paths.
/// Channels that are zero throughout are left out (and named in the note).
pub fn attribution_from_aggregates(agg: &Aggregates, labels: &Labels) -> Result<AttributionChart> {
    let unit = UnitAxis::for_unit("money", labels.currency.as_deref());
    let mut values = Vec::new();
    let mut quarters = 0;
    for (measure, _) in CHANNELS {
        let s = find_quarter_measure(agg, measure)?;
        quarters = quarters.max(s.quarters.len());
        values.push(
            s.quarters
                .iter()
                .map(|q| q.mean * unit.scale)
                .collect::<Vec<_>>(),
        );
    }
    for row in &mut values {
        row.resize(quarters, 0.0);
    }
    if agg.paths == 0 {
        quarters = 0;
        values.iter_mut().for_each(Vec::clear);
    }
    let mut chart = AttributionChart {
        title: labels.title("Bank losses by channel and quarter"),
        subtitle: Some(format!(
            "Mean across {} paths; gains (negative losses) below zero",
            agg.paths
        )),
        note: None,
        x_label: "Quarter".into(),
        y_label: unit.axis_label("Mean loss"),
        categories: (1..=quarters).map(|q| q.to_string()).collect(),
        channels: CHANNELS.iter().map(|c| c.1.to_string()).collect(),
        values,
    };
    let dropped = drop_empty_channels(&mut chart);
    chart.note = omitted_note(&dropped);
    Ok(chart)
}

/// Mean losses over the paths per bank and channel, for the `top` banks with the largest mean
/// total loss (by absolute value; ties in scenario order), the rest summed as `other`.
pub fn attribution_from_paths(
    scenario: &Scenario,
    paths: &[PathResult],
    labels: &Labels,
    top: usize,
) -> Result<AttributionChart> {
    let unit = UnitAxis::for_unit("money", labels.currency.as_deref());
    let nb = scenario.banks.len();
    let np = paths.len().max(1) as f64;
    let mut per_bank = vec![[0.0f64; 5]; nb];
    for p in paths {
        for (i, b) in p.banks.iter().enumerate().take(nb) {
            let v = [
                b.loss_credit,
                b.loss_bonds,
                b.loss_interbank,
                b.loss_fire_sales,
                b.loss_shock,
            ];
            for c in 0..5 {
                per_bank[i][c] += v[c];
            }
        }
    }
    for b in &mut per_bank {
        for v in b.iter_mut() {
            *v = *v / np * unit.scale;
        }
    }
    let mut order: Vec<usize> = (0..nb).collect();
    let total = |i: usize| per_bank[i].iter().sum::<f64>().abs();
    order.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
    let shown = if paths.is_empty() { 0 } else { top.min(nb) };
    let mut categories: Vec<String> = order[..shown]
        .iter()
        .map(|&i| scenario.banks[i].id.clone())
        .collect();
    let mut values: Vec<Vec<f64>> = (0..5)
        .map(|c| order[..shown].iter().map(|&i| per_bank[i][c]).collect())
        .collect();
    let rest = &order[shown..];
    if shown > 0 && !rest.is_empty() {
        categories.push(format!("other {}", rest.len()));
        for (c, row) in values.iter_mut().enumerate() {
            row.push(rest.iter().map(|&i| per_bank[i][c]).sum());
        }
    }
    let mut chart = AttributionChart {
        title: labels.title("Bank losses by bank and channel"),
        subtitle: Some(format!(
            "Mean over {} paths of each bank's losses over the horizon; the {} largest shown",
            paths.len(),
            shown
        )),
        note: None,
        x_label: "Bank".into(),
        y_label: unit.axis_label("Mean loss"),
        categories,
        channels: CHANNELS.iter().map(|c| c.1.to_string()).collect(),
        values,
    };
    let dropped = drop_empty_channels(&mut chart);
    chart.note = omitted_note(&dropped);
    Ok(chart)
}
