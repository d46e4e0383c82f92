//! The interbank network of many banks as a sorted adjacency heatmap: banks ranked by their
//! interbank exposure (lent plus borrowed), exposures summed over blocks of neighbouring ranks,
//! the core (the tenth of banks with the most exposure) outlined, and beside it each block's
//! failure probability. A thousand banks drawn as nodes and edges are a grey disc; this shows
//! who is exposed to whom, how concentrated it is, and where failures sit.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::error::Result;
use super::layout::{Axis, Ctx, PlotOptions, TickFormat, colorbar, colorbar_width, dashed, plot};
use super::network::NetworkChart;
use super::render::draw_err;
use super::style::viridis;

/// Networks of more banks than this are drawn as a matrix.
pub(super) const MATRIX_FROM: usize = 120;
/// Most blocks along each axis of the matrix.
pub(super) const MAX_BLOCKS: usize = 60;
/// Share of banks in the core.
pub(super) const CORE_SHARE: f64 = 0.10;

/// The ranking and the blocks of a network.
pub(super) struct Blocks {
    /// Banks per block.
    pub size: usize,
    /// Number of blocks.
    pub count: usize,
    /// `sum[lender block][borrower block]` of exposures.
    pub sum: Vec<Vec<f64>>,
    /// Mean failure probability of each block's banks.
    pub failure: Vec<f64>,
    /// Banks in the core.
    pub core: usize,
}

impl Blocks {
    pub fn of(chart: &NetworkChart) -> Blocks {
        let n = chart.nodes.len();
        let mut strength = vec![0.0; n];
        for e in &chart.edges {
            strength[e.lender] += e.exposure.abs();
            strength[e.borrower] += e.exposure.abs();
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| strength[b].total_cmp(&strength[a]).then(a.cmp(&b)));
        let mut rank = vec![0; n];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        let size = n.div_ceil(MAX_BLOCKS).max(1);
        let count = n.div_ceil(size);
        let mut sum = vec![vec![0.0; count]; count];
        for e in &chart.edges {
            sum[rank[e.lender] / size][rank[e.borrower] / size] += e.exposure.abs();
        }
        let failure = (0..count)
            .map(|b| {
                let banks = &order[b * size..((b + 1) * size).min(n)];
                banks
                    .iter()
                    .map(|&i| chart.nodes[i].failure_probability)
                    .sum::<f64>()
                    / banks.len().max(1) as f64
            })
            .collect();
        let core = ((n as f64 * CORE_SHARE).ceil() as usize).clamp(1, n.max(1));
        Blocks {
            size,
            count,
            sum,
            failure,
            core,
        }
    }
}

/// A y axis of ranks 0 (top) to `n` (bottom): positions are `n - rank`, labelled with the rank.
fn rank_axis(n: usize, label: &str) -> Axis {
    let (_, _, ticks, _) = super::layout::nice_ticks(0.0, n as f64, 5);
    let mut positions: Vec<f64> = ticks
        .into_iter()
        .filter(|t| *t >= 0.0 && *t <= n as f64)
        .map(|t| n as f64 - t)
        .collect();
    positions.sort_by(f64::total_cmp);
    Axis {
        lo: 0.0,
        hi: n as f64,
        ticks: positions,
        label: label.to_string(),
        format: TickFormat::Reversed(n as f64),
    }
}

/// Draws the matrix and the failure strip on `area`.
pub(super) fn draw_matrix<DB: DrawingBackend>(
    chart: &NetworkChart,
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
) -> Result<()> {
    let t = ctx.theme;
    let n = chart.nodes.len();
    let b = Blocks::of(chart);
    let positive: Vec<f64> = b
        .sum
        .iter()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0)
        .collect();
    let (lo, hi) = positive.iter().fold((f64::INFINITY, 0.0f64), |(l, h), v| {
        (l.min(v.log10()), h.max(v.log10()))
    });
    let (lo, hi) = if positive.is_empty() {
        (0.0, 1.0)
    } else {
        (lo.floor(), hi.ceil().max(lo.floor() + 1.0))
    };
    let scale = Axis::numeric_exact(lo, hi, 4, "log₁₀ exposure");
    let (w, _) = area.dim_in_pixel();
    let (main, side) = area.split_horizontally((w as f64 * 0.74) as i32);
    let bar_w = colorbar_width(&main, ctx, &scale);
    let x_axis = Axis::numeric_exact(0.0, n as f64, 5, "Borrower rank");
    let y_axis = rank_axis(n, "Lender rank");
    let mut plotted = plot(
        &main,
        ctx,
        &x_axis,
        &y_axis,
        PlotOptions {
            no_x_grid: true,
            no_y_grid: true,
            right_px: bar_w + ctx.pxi(6.0),
            ..Default::default()
        },
    )?;
    ctx.record_panel(&format!("{} exposures", chart.title), positive.len());
    let k = b.size as f64;
    let cells = b.sum.iter().enumerate().flat_map(|(i, row)| {
        row.iter()
            .enumerate()
            .filter(|(_, v)| **v > 0.0)
            .map(move |(j, v)| {
                let f = (v.log10() - lo) / (hi - lo);
                let (x0, x1) = (j as f64 * k, ((j + 1) as f64 * k).min(n as f64));
                let (y0, y1) = (
                    n as f64 - i as f64 * k,
                    (n as f64 - (i + 1) as f64 * k).max(0.0),
                );
                Rectangle::new([(x0, y0), (x1, y1)], viridis(f).filled())
            })
    });
    plotted.draw_series(cells).map_err(draw_err)?;
    let c = b.core as f64;
    dashed(
        &mut plotted,
        ctx,
        vec![
            (0.0, n as f64),
            (c, n as f64),
            (c, n as f64 - c),
            (0.0, n as f64 - c),
            (0.0, n as f64),
        ],
        ctx.stroke(t.color(1), t.line_pt),
    )?;
    let (xr, yr) = plotted.plotting_area().get_pixel_range();
    let (bx, by) = main.get_base_pixel();
    colorbar(
        &main,
        ctx,
        &scale,
        (xr.end - bx + ctx.pxi(6.0), yr.start - by, yr.end - by),
        viridis,
    )?;
    // The failure strip: each block's mean failure probability, on the same rows.
    let max_p = b.failure.iter().fold(0.0f64, |m, p| m.max(*p)) * 100.0;
    let p_axis = Axis::numeric(0.0, max_p.max(1.0), 3, "Failed (%)");
    let mut strip = plot(
        &side,
        ctx,
        &p_axis,
        &rank_axis(n, ""),
        PlotOptions {
            no_y_grid: true,
            ..Default::default()
        },
    )?;
    ctx.record_panel("failure probability by rank", b.count);
    let red = t.color(1);
    strip
        .draw_series(
            b.failure
                .iter()
                .enumerate()
                .filter(|(_, p)| **p > 0.0)
                .map(|(i, p)| {
                    let y0 = n as f64 - i as f64 * k;
                    let y1 = (n as f64 - (i + 1) as f64 * k).max(0.0);
                    Rectangle::new([(0.0, y0), (p * 100.0, y1)], red.mix(0.85).filled())
                }),
        )
        .map_err(draw_err)?;
    Ok(())
}
