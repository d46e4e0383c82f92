//! Scenario comparison: paired differences B − A with confidence intervals (a forest plot),
//! one panel per unit.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use sim::aggregate::{CONFIDENCE, Comparison};
use sim::results::PathSummary;

use super::error::{Error, Result};
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PlotOptions, Swatch, check_finite, chrome_pt, dashed,
    empty_state, extent, frame, plot,
};
use super::render::{Chart, csv_table, draw_err, grown_height, num, render};
use super::style::{Labels, Output, Theme, UnitAxis, measure_label};

/// Measures compared when none are named.
const DEFAULT_MEASURES: [&str; 7] = [
    "credit_gap_share",
    "peak_credit_gap_share",
    "firm_default_share",
    "failed_bank_share",
    "credit_gap",
    "bank_losses",
    "min_system_car",
];

/// Herding measures compared by default (when they are not zero in both scenarios).
const HERDING_MEASURES: [&str; 3] = [
    "decision_agreement_excess",
    "systemic_rejection_ratio",
    "lsv",
];

/// One compared measure: the mean paired difference and its confidence interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComparisonRow {
    /// Row label.
    pub name: String,
    /// Unit of the difference, e.g. `percentage points`; rows are grouped into panels by unit.
    pub unit: String,
    /// Mean difference.
    pub mean: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// Input of [`comparison_chart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComparisonChart {
    /// Title (name both scenarios).
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// Rows, top to bottom. Empty: an empty-state chart is drawn.
    pub rows: Vec<ComparisonRow>,
}

/// Writes a comparison chart: `<stem>.svg`/`.png` and `<stem>.csv` with columns
/// `measure,unit,mean,low,high`.
pub fn comparison_chart(
    chart: &ComparisonChart,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

impl ComparisonChart {
    /// Units in order of first appearance, with their rows.
    fn groups(&self) -> Vec<(&str, Vec<&ComparisonRow>)> {
        let mut groups: Vec<(&str, Vec<&ComparisonRow>)> = Vec::new();
        for r in &self.rows {
            match groups.iter_mut().find(|g| g.0 == r.unit) {
                Some(g) => g.1.push(r),
                None => groups.push((&r.unit, vec![r])),
            }
        }
        groups
    }
}

impl Chart for ComparisonChart {
    const KIND: &'static str = "comparison";

    fn validate(&self) -> Result<()> {
        for r in &self.rows {
            check_finite(
                Self::KIND,
                &format!("row `{}`", r.name),
                [&r.mean, &r.low, &r.high],
            )?;
            if r.low > r.high {
                return Err(Error::InvalidInput {
                    chart: Self::KIND,
                    message: format!("row `{}`: low {} > high {}", r.name, r.low, r.high),
                });
            }
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.unit.clone(),
                    num(r.mean),
                    num(r.low),
                    num(r.high),
                ]
            })
            .collect();
        Ok(vec![(
            String::new(),
            csv_table(&["measure", "unit", "mean", "low", "high"], rows)?,
        )])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let (sig, insig) = (t.color(1), t.color(0));
        let legend = vec![
            LegendItem::new("interval excludes 0", Swatch::Interval(sig)),
            LegendItem::new("interval includes 0", Swatch::Interval(insig)),
            LegendItem::new("no difference", Swatch::Dashed(t.muted)),
        ];
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: if self.rows.is_empty() {
                    Vec::new()
                } else {
                    legend
                },
                note: self.note.clone(),
            },
        )?;
        if self.rows.is_empty() {
            return empty_state(&area, ctx, "No measures to compare");
        }
        let groups = self.groups();
        // Panel heights proportional to rows, plus room for each panel's x axis.
        let axis_h = ctx.line_height(t.tick_pt) + ctx.line_height(t.axis_label_pt) + ctx.pxi(6.0);
        let h = area.dim_in_pixel().1;
        let total_rows: usize = groups.iter().map(|g| g.1.len()).sum();
        let free = (h as i32 - axis_h * groups.len() as i32).max(1);
        // The widest row label sets the left margin of every panel, so they line up.
        let tick = ctx.font(t.tick_pt);
        let label_w = self
            .rows
            .iter()
            .map(|r| super::layout::text_width(&area, &r.name, &tick))
            .max()
            .unwrap_or(0);
        let mut rest = area.clone();
        for (gi, (unit, rows)) in groups.iter().enumerate() {
            let ph = if gi + 1 == groups.len() {
                rest.dim_in_pixel().1 as i32
            } else {
                axis_h + free * rows.len() as i32 / total_rows as i32
            };
            let (panel, below) = rest.split_vertically(ph);
            rest = below;
            let names: Vec<String> = rows.iter().rev().map(|r| r.name.clone()).collect();
            // Numbers a reader can read: tiny or huge differences in a power of ten.
            let (factor, unit) = readable_unit(rows.iter().flat_map(|r| [r.low, r.high]), unit);
            let (lo, hi) = extent(
                rows.iter()
                    .flat_map(|r| [r.low * factor, r.high * factor, 0.0]),
            )
            .unwrap_or((0.0, 1.0));
            let x_axis = Axis::numeric(lo, hi, 6, format!("Difference ({unit})"));
            let y_axis = Axis::categories(names, "");
            let opts = PlotOptions {
                no_y_grid: true,
                left_px: label_w,
                ..Default::default()
            };
            let mut chart = plot(&panel, ctx, &x_axis, &y_axis, opts)?;
            ctx.record_panel(unit.as_str(), rows.len());
            dashed(
                &mut chart,
                ctx,
                vec![(0.0, y_axis.lo), (0.0, y_axis.hi)],
                ctx.stroke(t.muted, 0.75),
            )?;
            // Caps of 2.5 pt, in data units of the row axis.
            let (_, yr) = chart.plotting_area().get_pixel_range();
            let cap = ctx.px(2.5) * (y_axis.hi - y_axis.lo) / (yr.end - yr.start).max(1) as f64;
            let n = rows.len();
            for (i, r) in rows.iter().enumerate() {
                let y = (n - 1 - i) as f64;
                let c = if r.low > 0.0 || r.high < 0.0 {
                    sig
                } else {
                    insig
                };
                let (l, h, m) = (r.low * factor, r.high * factor, r.mean * factor);
                let stroke = ctx.stroke(c, t.line_pt * 1.2);
                chart
                    .draw_series([
                        PathElement::new(vec![(l, y), (h, y)], stroke),
                        PathElement::new(vec![(l, y - cap), (l, y + cap)], stroke),
                        PathElement::new(vec![(h, y - cap), (h, y + cap)], stroke),
                    ])
                    .map_err(draw_err)?;
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (m, y),
                        ctx.pxi(2.4),
                        c.filled(),
                    )))
                    .map_err(draw_err)?;
            }
        }
        Ok(())
    }

    fn size(&self, output: &Output, theme: &Theme) -> (u32, u32) {
        let groups = self.groups().len() as f64;
        let rows = self.rows.len() as f64;
        let axis_pt = 1.45 * (theme.tick_pt + theme.axis_label_pt) + 6.0;
        let row_pt = 1.45 * theme.tick_pt * 1.5;
        let needed = chrome_pt(theme) + groups * (axis_pt + theme.tick_pt) + rows * row_pt;
        (output.width_px, grown_height(output, needed))
    }
}

/// A factor and a unit label that make `values` readable: values whose largest magnitude is
/// under 0.05 or at least 100,000 are shown in a power of ten (a multiple of 3, e.g.
/// `percentage points × 10⁻³`), so an axis reads `0 … 2.5`, not `0.00000 … 0.00250`.
pub(super) fn readable_unit(values: impl IntoIterator<Item = f64>, unit: &str) -> (f64, String) {
    let max = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if max == 0.0 || (0.05..100_000.0).contains(&max) {
        return (1.0, unit.to_string());
    }
    let e = max.log10().floor() as i32;
    let k = e.div_euclid(3) * 3;
    let sup: String = k
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    (10f64.powi(-k), format!("{unit} × 10{sup}"))
}

/// Rows of a [`Comparison`] of `other` against `reference` for `measures` (path measures by name,
/// regional gaps as `credit_gap[east]`; empty: a default set of gap, default, failure, loss,
/// capital and herding measures and every region's credit gap, leaving out those that are zero
/// in both scenarios). Shares are shown in percentage points; money in the reference's currency;
/// each panel in a power of ten that keeps its numbers readable.
pub fn comparison_from(
    cmp: &Comparison,
    measures: &[&str],
    reference: &Labels,
    other: &Labels,
) -> Result<ComparisonChart> {
    let defaults = measures.is_empty();
    let names: Vec<&str> = if defaults {
        DEFAULT_MEASURES
            .iter()
            .chain(&HERDING_MEASURES)
            .copied()
            .chain(cmp.region_gap.iter().map(|m| m.name.as_str()))
            .collect()
    } else {
        measures.to_vec()
    };
    let mut rows = Vec::new();
    let mut n = 0;
    for name in names {
        // Of the default set, measures that are zero in both scenarios say nothing.
        if defaults
            && cmp.measure(name).is_some_and(|m| {
                let d = &m.difference;
                d.mean_a == 0.0 && d.mean_b == 0.0 && d.low == 0.0 && d.high == 0.0
            })
        {
            continue;
        }
        let m = cmp.measure(name).ok_or_else(|| Error::UnknownMeasure {
            name: name.to_string(),
            available: cmp
                .measures
                .iter()
                .chain(&cmp.region_gap)
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        let unit = UnitAxis::for_unit(&m.unit, reference.currency.as_deref());
        let label = if m.unit == "share" {
            "percentage points".to_string()
        } else {
            unit.label.clone()
        };
        n = m.difference.n;
        rows.push(ComparisonRow {
            name: measure_label(name, PathSummary::MEASURES),
            unit: label,
            mean: m.difference.mean * unit.scale,
            low: m.difference.low * unit.scale,
            high: m.difference.high * unit.scale,
        });
    }
    let (a, b) = (
        if reference.scenario.is_empty() {
            "A"
        } else {
            &reference.scenario
        },
        if other.scenario.is_empty() {
            "B"
        } else {
            &other.scenario
        },
    );
    Ok(ComparisonChart {
        title: format!("{b} minus {a}"),
        subtitle: Some(format!(
            "Mean paired difference over {n} common-random-number paths, with {:.0}% confidence intervals",
            CONFIDENCE * 100.0
        )),
        note: Some(format!(
            "Positive: the measure is larger in {b} than in {a}."
        )),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_and_huge_differences_get_a_power_of_ten() {
        assert_eq!(readable_unit([0.3, -0.2], "pp"), (1.0, "pp".into()));
        let (f, u) = readable_unit([0.00025, -0.0001], "percentage points");
        assert_eq!(u, "percentage points × 10⁻⁶");
        assert!((0.00025 * f - 250.0).abs() < 1e-9);
        let (f, u) = readable_unit([0.0124], "correlation");
        assert_eq!((f, u.as_str()), (1e3, "correlation × 10⁻³"));
        let (f, u) = readable_unit([2.5e6], "EUR million");
        assert_eq!((f, u.as_str()), (1e-6, "EUR million × 10⁶"));
    }
}
