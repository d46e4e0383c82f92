//! The interbank network by region: exposures summed over the banks' home regions, as a region ×
//! region heatmap (lenders' region in rows, borrowers' in columns) with a colour bar in money and,
//! beside each row, the share of the region's banks and of its assets that failed.
//!
//! A bank's home region is the region of the largest share of its SME lending
//! (`sim::scenario::Bank::regions`). A bank whose largest share is shared by two or more regions
//! (a national bank serving every region alike) has no single home; it is counted in a group of
//! its own, "multi-region", rather than given to whichever region is listed first.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sim::scenario::{Bank, Scenario};

use super::error::{Error, Result};
use super::layout::{
    Axis, Ctx, Frame, LegendItem, PlotOptions, Swatch, TickFormat, check_finite, chrome_pt,
    colorbar, colorbar_width, empty_state, fmt_number, frame, plot, text_width,
};
use super::network::NetworkChart;
use super::render::{Chart, csv_table, draw_err, grown_height, num, render};
use super::style::{Labels, Output, Theme, luminance, viridis};

/// The name of the group of banks without a single home region.
pub const MULTI_REGION: &str = "multi-region";

/// Shares this close (relative) count as equal when finding the largest.
const TIE: f64 = 1e-9;

/// The index (into `Scenario::regions`) of `bank`'s home region: the region of its largest
/// lending share; `None` when two or more regions share the largest share, or it serves none.
pub fn home_region(bank: &Bank) -> Option<usize> {
    let top = bank
        .regions
        .iter()
        .map(|(_, w)| *w)
        .fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return None;
    }
    let mut best = bank
        .regions
        .iter()
        .filter(|(_, w)| (top - w).abs() <= TIE * top.abs().max(1e-300));
    let (r, _) = best.next()?;
    match best.next() {
        Some(_) => None,
        None => Some(*r),
    }
}

/// The banks of a scenario in groups by home region: the regions home to at least one bank, in
/// scenario order, then [`MULTI_REGION`] when some bank has no single home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionGroups {
    /// Group names: region names, then possibly [`MULTI_REGION`].
    pub names: Vec<String>,
    /// The group of each bank, in scenario order (an index into `names`).
    pub of_bank: Vec<usize>,
}

impl RegionGroups {
    /// Groups `scenario`'s banks by home region.
    pub fn of(scenario: &Scenario) -> RegionGroups {
        let homes: Vec<Option<usize>> = scenario.banks.iter().map(home_region).collect();
        let mut names = Vec::new();
        let mut slot = vec![usize::MAX; scenario.regions.len()];
        for (r, region) in scenario.regions.iter().enumerate() {
            if homes.contains(&Some(r)) {
                slot[r] = names.len();
                names.push(region.name.clone());
            }
        }
        let several = homes.contains(&None).then(|| {
            names.push(MULTI_REGION.to_string());
            names.len() - 1
        });
        let of_bank = homes
            .iter()
            .map(|h| match h {
                Some(r) => slot.get(*r).copied().unwrap_or(0),
                None => several.unwrap_or(0),
            })
            .collect();
        RegionGroups { names, of_bank }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no groups (a scenario without banks).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Input of [`region_network_chart`]: interbank exposures summed over the banks' home regions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionNetworkChart {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// The groups, in row (and column) order: home regions, then possibly [`MULTI_REGION`].
    /// Empty: an empty-state chart is drawn.
    pub regions: Vec<String>,
    /// `exposures[a][b]`: what the banks based in `regions[a]` lent to the banks based in
    /// `regions[b]`, money (at least 0).
    pub exposures: Vec<Vec<f64>>,
    /// Banks based in each group.
    pub banks: Vec<usize>,
    /// Share of each group's banks that failed, in `[0, 1]` (across paths: the mean share).
    pub failed_banks: Vec<f64>,
    /// Share of each group's starting assets held by banks that failed, in `[0, 1]`.
    pub failed_assets: Vec<f64>,
    /// The colour bar's label with its unit, e.g. `Exposure (EUR million)`.
    pub value_label: String,
}

/// Writes the region × region heatmap: `<stem>.svg`/`.png`, `<stem>.csv`
/// (`lender_region,borrower_region,exposure`, every pair) and `<stem>-regions.csv`
/// (`region,banks,failed_bank_share,failed_asset_share`).
pub fn region_network_chart(
    chart: &RegionNetworkChart,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

/// `exposures[a][b]`: the exposures of `edges` (`(lender, borrower, amount)`, banks in scenario
/// order) summed over the lenders' and borrowers' groups of `groups`. Every edge is counted once,
/// so the matrix sums to the edges' sum. Edges naming a bank beyond `groups.of_bank` are an
/// error.
pub fn exposures_by_region(
    groups: &RegionGroups,
    edges: impl IntoIterator<Item = (usize, usize, f64)>,
) -> Result<Vec<Vec<f64>>> {
    let n = groups.len();
    let mut sum = vec![vec![0.0; n]; n];
    for (lender, borrower, amount) in edges {
        let (Some(&a), Some(&b)) = (groups.of_bank.get(lender), groups.of_bank.get(borrower))
        else {
            return Err(Error::InvalidInput {
                chart: RegionNetworkChart::KIND,
                message: format!(
                    "exposure {lender} -> {borrower} names a bank beyond the {} banks",
                    groups.of_bank.len()
                ),
            });
        };
        if let Some(cell) = sum.get_mut(a).and_then(|row| row.get_mut(b)) {
            *cell += amount;
        }
    }
    Ok(sum)
}

/// The network of `network` (its nodes are `scenario`'s banks, in order) by home region, with
/// `failure[i]` the failure probability of bank `i` (or 1/0 for failed/active on one path). The
/// failed-asset share weighs banks by their starting assets.
pub fn network_by_region(
    scenario: &Scenario,
    network: &NetworkChart,
    failure: &[f64],
    labels: &Labels,
) -> Result<RegionNetworkChart> {
    let nb = scenario.banks.len();
    if network.nodes.len() != nb || failure.len() != nb {
        return Err(Error::InvalidInput {
            chart: RegionNetworkChart::KIND,
            message: format!(
                "{} network nodes and {} failure probabilities for {nb} banks",
                network.nodes.len(),
                failure.len()
            ),
        });
    }
    let groups = RegionGroups::of(scenario);
    let exposures = exposures_by_region(
        &groups,
        network
            .edges
            .iter()
            .map(|e| (e.lender, e.borrower, e.exposure)),
    )?;
    let n = groups.len();
    let mut banks = vec![0usize; n];
    let mut failed = vec![0.0; n];
    let mut assets = vec![0.0; n];
    let mut failed_assets = vec![0.0; n];
    for ((b, &g), &p) in scenario.banks.iter().zip(&groups.of_bank).zip(failure) {
        if g < n {
            banks[g] += 1;
            failed[g] += p;
            assets[g] += b.assets();
            failed_assets[g] += p * b.assets();
        }
    }
    let failed_banks = failed
        .iter()
        .zip(&banks)
        .map(|(f, &k)| if k > 0 { f / k as f64 } else { 0.0 })
        .collect::<Vec<f64>>();
    let failed_assets = failed_assets
        .iter()
        .zip(&assets)
        .zip(&failed_banks)
        .map(|((f, a), by_count)| if *a > 0.0 { f / a } else { *by_count })
        .collect();
    let money = labels
        .currency
        .clone()
        .unwrap_or_else(|| "currency units".into());
    let total: f64 = exposures.iter().flatten().sum();
    let within: f64 = (0..n).map(|i| exposures[i][i]).sum();
    let several = groups.names.iter().any(|g| g == MULTI_REGION);
    Ok(RegionNetworkChart {
        title: labels.title("Interbank exposures by region"),
        subtitle: Some(format!(
            "{} banks in {} groups by home region; {} of {} {money} lent within a region ({:.0}%)",
            nb,
            n,
            fmt_number(within, 0),
            fmt_number(total, 0),
            if total > 0.0 {
                100.0 * within / total
            } else {
                0.0
            }
        )),
        note: Some(format!(
            "Cell: what the banks based in the row's region lent to those based in the column's ({money}{}). Home region: a bank's largest share of lending{}. {}",
            if log_scale(&exposures) {
                ", log colour scale"
            } else {
                ""
            },
            if several {
                "; multi-region: banks serving several regions alike"
            } else {
                ""
            },
            if failure.iter().any(|p| *p > 0.0) {
                "Bars: share of each region's banks and assets that failed."
            } else {
                "No bank failed."
            }
        )),
        regions: groups.names,
        exposures,
        banks,
        failed_banks,
        failed_assets,
        value_label: format!("Exposure ({money})"),
    })
}

impl RegionNetworkChart {
    /// Whether any region lent anything to any other (or to itself).
    pub fn has_data(&self) -> bool {
        self.exposures.iter().flatten().any(|v| *v > 0.0)
    }

    /// Whether any region's banks failed (the strip beside the rows is drawn only then).
    pub fn any_failed(&self) -> bool {
        self.failed_banks
            .iter()
            .chain(&self.failed_assets)
            .any(|v| *v > 0.0)
    }

    /// The colour scale: log₁₀ ([`log_scale`]) with a tick at every power of ten (every second
    /// one beyond six), else linear from 0.
    fn scale(&self) -> (Axis, bool) {
        let (lo, hi) = positive_extent(&self.exposures);
        if log_scale(&self.exposures) {
            let a = lo.log10().floor();
            let b = hi.log10().ceil().max(a + 1.0);
            let step = if b - a > 6.0 { 2.0 } else { 1.0 };
            let mut ticks = Vec::new();
            let mut t = a;
            while t <= b + 1e-9 {
                ticks.push(t);
                t += step;
            }
            let axis = Axis {
                lo: a,
                hi: b,
                ticks,
                label: self.value_label.clone(),
                format: TickFormat::Power10,
            };
            (axis, true)
        } else {
            (
                Axis::numeric(0.0, hi.max(f64::MIN_POSITIVE), 5, self.value_label.clone()),
                false,
            )
        }
    }
}

/// The smallest and largest positive value of `m` (`(inf, 0)` when none is positive).
fn positive_extent(m: &[Vec<f64>]) -> (f64, f64) {
    m.iter()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(v), h.max(v)))
}

/// Whether the positive values of `m` span more than two orders of magnitude (then colours go
/// on a log scale).
fn log_scale(m: &[Vec<f64>]) -> bool {
    let (lo, hi) = positive_extent(m);
    hi > 0.0 && hi / lo > 100.0
}

/// Whether a figure `width_px` wide is too narrow for the failed shares beside the heatmap
/// (about 40 tick-label heights: a single-column paper figure), so they go under it.
fn stacked(width_px: u32, dpi: f64, theme: &Theme) -> bool {
    (width_px as f64 * 72.0 / dpi) < 40.0 * theme.tick_pt
}

/// A cell's value in about three significant digits.
fn short(v: f64) -> String {
    let a = v.abs();
    let d = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2 - a.log10().floor() as i64).clamp(0, 6) as usize
    };
    fmt_number(v, d)
}

impl Chart for RegionNetworkChart {
    const KIND: &'static str = "network by region";

    fn size(&self, output: &Output, theme: &Theme) -> (u32, u32) {
        // Every row needs room for its name; the x axis for three staggered rows of names. A
        // narrow figure stacks the failed shares under the heatmap: twice the rows and axes.
        let row_pt = 1.45 * theme.tick_pt * 1.3;
        let x_axis_pt = 1.45 * (3.0 * theme.tick_pt + theme.axis_label_pt) + 8.0;
        let panels = if self.any_failed() && stacked(output.width_px, output.dpi, theme) {
            2.0
        } else {
            1.0
        };
        let needed = chrome_pt(theme)
            + panels * (x_axis_pt + row_pt * self.regions.len().max(4) as f64)
            + (panels - 1.0) * theme.margin_pt;
        (output.width_px, grown_height(output, needed))
    }

    fn validate(&self) -> Result<()> {
        let n = self.regions.len();
        let bad = |message: String| Error::InvalidInput {
            chart: Self::KIND,
            message,
        };
        if self.exposures.len() != n || self.exposures.iter().any(|r| r.len() != n) {
            return Err(bad(format!("exposures must be {n} rows of {n} values")));
        }
        for (i, row) in self.exposures.iter().enumerate() {
            check_finite(Self::KIND, &format!("exposures[{i}]"), row)?;
            if let Some(v) = row.iter().find(|v| **v < 0.0) {
                return Err(bad(format!("exposures[{i}] holds {v}, below 0")));
            }
        }
        for (field, v) in [
            ("failed_banks", &self.failed_banks),
            ("failed_assets", &self.failed_assets),
        ] {
            if v.len() != n {
                return Err(bad(format!(
                    "{field} has {} values for {n} regions",
                    v.len()
                )));
            }
            check_finite(Self::KIND, field, v)?;
        }
        if self.banks.len() != n {
            return Err(bad(format!(
                "banks has {} values for {n} regions",
                self.banks.len()
            )));
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut pairs = Vec::new();
        for (a, row) in self.regions.iter().zip(&self.exposures) {
            for (b, v) in self.regions.iter().zip(row) {
                pairs.push(vec![a.clone(), b.clone(), num(*v)]);
            }
        }
        let regions = self
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    r.clone(),
                    self.banks.get(i).copied().unwrap_or(0).to_string(),
                    self.failed_banks.get(i).map_or(String::new(), |v| num(*v)),
                    self.failed_assets.get(i).map_or(String::new(), |v| num(*v)),
                ]
            })
            .collect();
        Ok(vec![
            (
                String::new(),
                csv_table(&["lender_region", "borrower_region", "exposure"], pairs)?,
            ),
            (
                "-regions".into(),
                csv_table(
                    &["region", "banks", "failed_bank_share", "failed_asset_share"],
                    regions,
                )?,
            ),
        ])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let (banks_c, assets_c) = (t.color(1), t.color(4));
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: if self.regions.is_empty() || !self.any_failed() {
                    Vec::new()
                } else {
                    vec![
                        LegendItem::new("banks failed (%)", Swatch::Box(banks_c)),
                        LegendItem::new("assets of banks failed (%)", Swatch::Box(assets_c)),
                    ]
                },
                note: self.note.clone(),
            },
        )?;
        let n = self.regions.len();
        if n == 0 {
            return empty_state(&area, ctx, "No banks");
        }
        let (mut scale, log) = self.scale();
        let (root_w, _) = root.dim_in_pixel();
        let narrow = stacked(root_w, ctx.dpi, t);
        if narrow {
            // No room for the colour bar's label: the note names the unit.
            scale.label.clear();
        }
        let (w, h) = area.dim_in_pixel();
        // The failed shares only when some bank failed: beside the rows, or under the heatmap
        // (with the regions' names again) in a narrow figure.
        let failed = self.any_failed();
        let below = failed && narrow;
        let (main, side) = if below {
            let (top, bottom) = area.split_vertically((h as f64 * 0.55) as i32);
            let gap = ctx.pxi(t.margin_pt);
            let (_, bh) = bottom.dim_in_pixel();
            (top, bottom.shrink((0, gap), (w, (bh as i32 - gap).max(1))))
        } else if failed {
            area.split_horizontally((w as f64 * 0.75) as i32)
        } else {
            area.split_horizontally(w as i32)
        };
        let bar_w = colorbar_width(&main, ctx, &scale);
        // Rows top to bottom in group order: group i sits at y = n - 1 - i.
        let rows: Vec<String> = self.regions.iter().rev().cloned().collect();
        let x_axis = Axis::categories(self.regions.clone(), "Borrowing banks' home region");
        // A narrow figure has no room for the rows' name beside them: the note says it.
        let y_axis = Axis::categories(
            rows,
            if narrow {
                ""
            } else {
                "Lending banks' home region"
            },
        );
        let mut heat = plot(
            &main,
            ctx,
            &x_axis,
            &y_axis,
            PlotOptions {
                no_x_grid: true,
                no_y_grid: true,
                right_px: bar_w + ctx.pxi(8.0),
                stagger_rows: 3,
                ..Default::default()
            },
        )?;
        ctx.record_panel(
            &format!("{} exposures", self.title),
            self.exposures
                .iter()
                .flatten()
                .filter(|v| **v > 0.0)
                .count(),
        );
        let span = scale.hi - scale.lo;
        let colour = |v: f64| {
            let x = if log { v.log10() } else { v };
            viridis(if span > 0.0 {
                ((x - scale.lo) / span).clamp(0.0, 1.0)
            } else {
                0.5
            })
        };
        let mut cells = Vec::new();
        for (i, row) in self.exposures.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                cells.push((j as f64, (n - 1 - i) as f64, v));
            }
        }
        heat.draw_series(cells.iter().filter(|c| c.2 > 0.0).map(|&(x, y, v)| {
            Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], colour(v).filled())
        }))
        .map_err(draw_err)?;
        // A faint outline on every cell, so that an empty one reads as "none".
        heat.draw_series(cells.iter().map(|&(x, y, _)| {
            Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                ctx.stroke(t.grid, 0.5),
            )
        }))
        .map_err(draw_err)?;
        let (xr, yr) = heat.plotting_area().get_pixel_range();
        let cell_w = (xr.end - xr.start) / n as i32;
        let cell_h = (yr.end - yr.start) / n as i32;
        let font = ctx.font(t.tick_pt);
        let fits = cells
            .iter()
            .all(|c| c.2 <= 0.0 || text_width(&main, &short(c.2), &font) < cell_w - ctx.pxi(3.0))
            && cell_h > ctx.line_height(t.tick_pt);
        if fits {
            for &(x, y, v) in cells.iter().filter(|c| c.2 > 0.0) {
                let ink = if luminance(colour(v)) > 0.5 {
                    BLACK
                } else {
                    WHITE
                };
                heat.draw_series(std::iter::once(Text::new(
                    short(v),
                    (x, y),
                    font.color(&ink).pos(Pos::new(HPos::Center, VPos::Center)),
                )))
                .map_err(draw_err)?;
            }
        }
        let (bx, by) = main.get_base_pixel();
        colorbar(
            &main,
            ctx,
            &scale,
            (xr.end - bx + ctx.pxi(8.0), yr.start - by, yr.end - by),
            viridis,
        )?;
        if !failed {
            return Ok(());
        }
        // Beside each row: the shares of the region's banks and assets that failed, on the rows'
        // own heights (the strip's x axis area as tall as the heatmap's).
        let (_, side_h) = side.dim_in_pixel();
        let x_area_px = if below {
            0
        } else {
            (by + side_h as i32) - yr.end
        };
        let hi = self
            .failed_banks
            .iter()
            .chain(&self.failed_assets)
            .fold(0.0f64, |m, v| m.max(*v))
            * 100.0;
        // Room right of the longest bar for its value.
        let p_axis = Axis::numeric(0.0, (hi * 1.35).max(1.0), 3, "Failed (%)");
        let rows = if below {
            Axis::categories(self.regions.iter().rev().cloned().collect(), "")
        } else {
            Axis::categories(vec![String::new(); n], "")
        };
        let mut strip = plot(
            &side,
            ctx,
            &p_axis,
            &rows,
            PlotOptions {
                no_y_grid: true,
                min_x_area_px: x_area_px,
                ..Default::default()
            },
        )?;
        ctx.record_panel(
            "failed banks and assets by region",
            self.failed_banks.len() + self.failed_assets.len(),
        );
        for (k, (shares, c)) in [
            (&self.failed_banks, banks_c),
            (&self.failed_assets, assets_c),
        ]
        .into_iter()
        .enumerate()
        {
            strip
                .draw_series(
                    shares
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| **p > 0.0)
                        .map(|(i, p)| {
                            let y = (n - 1 - i) as f64;
                            let (y0, y1) = if k == 0 { (y, y + 0.4) } else { (y - 0.4, y) };
                            Rectangle::new([(0.0, y0), (p * 100.0, y1)], c.filled())
                        }),
                )
                .map_err(draw_err)?;
        }
        // Each bar's value at its end, inside the plot.
        let font = ctx.font(t.tick_pt * 0.9);
        let (sx, sy) = strip.plotting_area().get_pixel_range();
        let row_h = (sy.end - sy.start) / n as i32;
        for (k, shares) in [&self.failed_banks, &self.failed_assets]
            .into_iter()
            .enumerate()
        {
            for (i, p) in shares.iter().enumerate() {
                // A leading space keeps the text off the bar's end.
                let text = format!(" {:.0}%", p * 100.0);
                let y = (n - 1 - i) as f64 + if k == 0 { 0.2 } else { -0.2 };
                let end = strip.backend_coord(&(p * 100.0, y)).0;
                let room = sx.end - end - ctx.pxi(3.0);
                if text_width(&side, &text, &font) + ctx.pxi(2.0) > room
                    || row_h < 2 * ctx.line_height(t.tick_pt * 0.9)
                {
                    continue;
                }
                strip
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (p * 100.0, y),
                        font.pos(Pos::new(HPos::Left, VPos::Center)),
                    )))
                    .map_err(draw_err)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(regions: &[(usize, f64)]) -> Bank {
        let b = crate::bundled::find("baseline").expect("bundled");
        let s = Scenario::load(&b.path(), crate::bundled::sources()).expect("loads");
        let mut bank = s.banks[0].clone();
        bank.regions = regions.to_vec();
        bank
    }

    /// Every exposure lands in exactly one cell: the matrix sums to the edges' sum (exactly, for
    /// whole amounts, whose sums are exact in any order), each cell to its own pairs' sum, and a
    /// bank beyond the groups is an error, not a panic.
    #[test]
    fn the_region_matrix_sums_exactly_to_the_exposures() {
        let groups = RegionGroups {
            names: vec!["a".into(), "b".into(), "c".into()],
            of_bank: vec![0, 0, 1, 2, 2, 2, 1],
        };
        let nb = groups.of_bank.len();
        let edges: Vec<(usize, usize, f64)> = (0..nb)
            .flat_map(|i| (0..nb).map(move |j| (i, j)))
            .filter(|(i, j)| i != j && (i * 7 + j * 3) % 4 != 0)
            .map(|(i, j)| (i, j, ((i * 31 + j * 17) % 97 + 1) as f64))
            .collect();
        let m = exposures_by_region(&groups, edges.iter().copied()).expect("sums");
        let total: f64 = edges.iter().map(|e| e.2).sum();
        assert_eq!(m.iter().flatten().sum::<f64>(), total);
        for (a, row) in m.iter().enumerate() {
            for (b, v) in row.iter().enumerate() {
                let want: f64 = edges
                    .iter()
                    .filter(|e| groups.of_bank[e.0] == a && groups.of_bank[e.1] == b)
                    .map(|e| e.2)
                    .sum();
                assert_eq!(*v, want, "cell {a}, {b}");
            }
        }
        assert!(exposures_by_region(&groups, [(0, nb, 1.0)]).is_err());
    }

    #[test]
    fn the_home_region_is_the_largest_share_and_a_tie_has_none() {
        assert_eq!(home_region(&bank(&[(0, 1.0)])), Some(0));
        assert_eq!(home_region(&bank(&[(0, 0.3), (2, 0.7)])), Some(2));
        assert_eq!(home_region(&bank(&[(1, 0.5), (2, 0.5)])), None);
        let third = 1.0 / 3.0;
        assert_eq!(
            home_region(&bank(&[(0, third), (1, third), (2, third)])),
            None
        );
        assert_eq!(home_region(&bank(&[])), None);
    }
}
