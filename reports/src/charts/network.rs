//! The interbank network: banks on a circle ordered by assets, sized by assets and coloured by
//! failure probability; edges by exposure. Networks of more than 120 banks are drawn as a sorted
//! adjacency heatmap instead (`network_matrix`).

use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use nalgebra::DMatrix;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sim::aggregate::Aggregates;
use sim::scenario::Scenario;

use super::error::{Error, Result};
use super::layout::{
    Axis, Ctx, Frame, LegendItem, Swatch, check_finite, colorbar, colorbar_width, empty_state,
    frame,
};
use super::network_matrix::{CORE_SHARE, MATRIX_FROM, draw_matrix};
use super::render::{Chart, csv_table, draw_err, num, render};
use super::style::{Labels, Output, Theme, viridis};

/// Node labels are drawn up to this many banks.
const MAX_LABELLED: usize = 40;

/// One bank.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkNode {
    /// Bank id.
    pub id: String,
    /// Total assets (node area is proportional), money.
    pub assets: f64,
    /// Probability of failure over the horizon, in `[0, 1]`.
    pub failure_probability: f64,
}

/// One exposure: `lender` (index into the nodes) lent `exposure` to `borrower`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkEdge {
    /// Lending bank (node index).
    pub lender: usize,
    /// Borrowing bank (node index).
    pub borrower: usize,
    /// Amount, money (positive).
    pub exposure: f64,
}

/// Input of [`network_chart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkChart {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: Option<String>,
    /// Small print under the plot.
    pub note: Option<String>,
    /// Banks. Empty: an empty-state chart is drawn.
    pub nodes: Vec<NetworkNode>,
    /// Exposures.
    pub edges: Vec<NetworkEdge>,
    /// Draw at most this many edges, the largest (0: all). All are exported to CSV.
    pub max_edges: usize,
}

/// Writes a network chart: `<stem>.svg`/`.png`, `<stem>.csv` (nodes: `bank,assets,
/// failure_probability,x,y` with the layout's unit-circle position) and `<stem>-edges.csv`
/// (`lender,borrower,exposure`).
pub fn network_chart(
    chart: &NetworkChart,
    dir: &Path,
    stem: &str,
    output: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    render(chart, dir, stem, output, theme)
}

impl NetworkChart {
    /// Positions on the unit circle: largest bank at the top, then clockwise by decreasing assets
    /// (ties in input order).
    pub fn layout(&self) -> Vec<(f64, f64)> {
        let n = self.nodes.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            self.nodes[b]
                .assets
                .total_cmp(&self.nodes[a].assets)
                .then(a.cmp(&b))
        });
        let mut pos = vec![(0.0, 0.0); n];
        for (k, &i) in order.iter().enumerate() {
            let angle = PI / 2.0 - 2.0 * PI * k as f64 / n.max(1) as f64;
            pos[i] = (angle.cos(), angle.sin());
        }
        pos
    }

    /// Edges to draw, smallest first (so the largest are on top).
    pub fn drawn_edges(&self) -> Vec<&NetworkEdge> {
        let mut e: Vec<&NetworkEdge> = self.edges.iter().filter(|e| e.exposure > 0.0).collect();
        e.sort_by(|a, b| {
            b.exposure
                .total_cmp(&a.exposure)
                .then(a.lender.cmp(&b.lender))
                .then(a.borrower.cmp(&b.borrower))
        });
        if self.max_edges > 0 {
            e.truncate(self.max_edges);
        }
        e.reverse();
        e
    }
}

impl Chart for NetworkChart {
    const KIND: &'static str = "network";

    fn size(&self, output: &Output, theme: &Theme) -> (u32, u32) {
        // The matrix needs room below its title, legend and notes: about 2.5 inches at least.
        if self.nodes.len() > MATRIX_FROM {
            let needed = super::layout::chrome_pt(theme) + 180.0;
            (output.width_px, super::render::grown_height(output, needed))
        } else {
            (output.width_px, output.height_px)
        }
    }

    fn validate(&self) -> Result<()> {
        check_finite(
            Self::KIND,
            "node assets",
            self.nodes.iter().map(|n| &n.assets),
        )?;
        check_finite(
            Self::KIND,
            "node failure_probability",
            self.nodes.iter().map(|n| &n.failure_probability),
        )?;
        check_finite(
            Self::KIND,
            "edge exposure",
            self.edges.iter().map(|e| &e.exposure),
        )?;
        if let Some(e) = self
            .edges
            .iter()
            .find(|e| e.lender >= self.nodes.len() || e.borrower >= self.nodes.len())
        {
            return Err(Error::InvalidInput {
                chart: Self::KIND,
                message: format!(
                    "edge {} -> {} refers to a bank beyond the {} nodes",
                    e.lender,
                    e.borrower,
                    self.nodes.len()
                ),
            });
        }
        Ok(())
    }

    fn tables(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let pos = self.layout();
        let nodes = self
            .nodes
            .iter()
            .zip(&pos)
            .map(|(n, p)| {
                vec![
                    n.id.clone(),
                    num(n.assets),
                    num(n.failure_probability),
                    num(p.0),
                    num(p.1),
                ]
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .map(|e| {
                vec![
                    self.nodes[e.lender].id.clone(),
                    self.nodes[e.borrower].id.clone(),
                    num(e.exposure),
                ]
            })
            .collect();
        Ok(vec![
            (
                String::new(),
                csv_table(&["bank", "assets", "failure_probability", "x", "y"], nodes)?,
            ),
            (
                "-edges".into(),
                csv_table(&["lender", "borrower", "exposure"], edges)?,
            ),
        ])
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> Result<()> {
        let t = ctx.theme;
        let area = frame(
            root,
            ctx,
            &Frame {
                title: self.title.clone(),
                subtitle: self.subtitle.clone(),
                legend: if self.nodes.len() > MATRIX_FROM {
                    vec![
                        LegendItem::new(
                            format!(
                                "core: the {:.0}% of banks with the most exposure",
                                CORE_SHARE * 100.0
                            ),
                            Swatch::Dashed(t.color(1)),
                        ),
                        LegendItem::new(
                            "failure probability (mean of the block)",
                            Swatch::Box(ctx.blend(t.color(1), 0.85)),
                        ),
                    ]
                } else {
                    Vec::new()
                },
                note: self.note.clone(),
            },
        )?;
        if self.nodes.is_empty() {
            return empty_state(&area, ctx, "No banks");
        }
        if self.nodes.len() > MATRIX_FROM {
            return draw_matrix(self, &area, ctx);
        }
        let scale = {
            let hi = self
                .nodes
                .iter()
                .map(|n| n.failure_probability * 100.0)
                .fold(0.0, f64::max);
            let mut a = Axis::numeric(0.0, hi.max(1.0), 5, "Failure probability (%)");
            a.lo = 0.0;
            a
        };
        let bar_w = colorbar_width(&area, ctx, &scale);
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let (bx, by) = area.get_base_pixel();
        let n = self.nodes.len();
        ctx.record_panel(&self.title, n);
        let labelled = n <= MAX_LABELLED;
        let tick = ctx.font(t.tick_pt);
        let label_room = if labelled {
            self.nodes
                .iter()
                .map(|nd| super::layout::text_width(&area, &nd.id, &tick))
                .max()
                .unwrap_or(0)
                + ctx.pxi(4.0)
        } else {
            0
        };
        let plot_w = w - bar_w - ctx.pxi(12.0);
        let radius = ((plot_w.min(h) / 2 - label_room - ctx.pxi(6.0)).max(10)) as f64;
        let (cx, cy) = (bx as f64 + plot_w as f64 / 2.0, by as f64 + h as f64 / 2.0);
        let pos = self.layout();
        let to_px = |p: (f64, f64)| {
            (
                (cx + radius * p.0).round() as i32,
                (cy - radius * p.1).round() as i32,
            )
        };
        // Edges: width and opacity grow with exposure.
        let edges = self.drawn_edges();
        let max_exp = edges.iter().map(|e| e.exposure).fold(0.0, f64::max);
        let edge_color = RGBColor(80, 80, 80);
        // Dense networks get fainter edges, so that structure shows instead of a grey disc.
        let density = (60.0 / edges.len().max(1) as f64).clamp(0.03, 1.0);
        for e in &edges {
            let f = if max_exp > 0.0 {
                (e.exposure / max_exp).sqrt()
            } else {
                0.0
            };
            let style = edge_color
                .mix((0.15 + 0.5 * f) * density.sqrt())
                .stroke_width(ctx.pxi(0.3 + 1.7 * f) as u32);
            root.draw(&PathElement::new(
                vec![to_px(pos[e.lender]), to_px(pos[e.borrower])],
                style,
            ))
            .map_err(draw_err)?;
        }
        // Nodes: area proportional to assets.
        let max_assets = self.nodes.iter().map(|n| n.assets).fold(0.0, f64::max);
        let spacing = 2.0 * PI * radius / n as f64;
        let r_max = (spacing * 0.45).clamp(ctx.px(1.0), ctx.px(9.0));
        let r_min = (r_max * 0.25).max(1.0);
        let span = scale.hi - scale.lo;
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            self.nodes[b]
                .assets
                .total_cmp(&self.nodes[a].assets)
                .then(a.cmp(&b))
        });
        for &i in &order {
            let nd = &self.nodes[i];
            let f = if max_assets > 0.0 {
                (nd.assets.max(0.0) / max_assets).sqrt()
            } else {
                1.0
            };
            let r = (r_min + (r_max - r_min) * f).round().max(1.0) as i32;
            let c = viridis(if span > 0.0 {
                (nd.failure_probability * 100.0 - scale.lo) / span
            } else {
                0.0
            });
            let p = to_px(pos[i]);
            root.draw(&Circle::new(p, r, c.filled()))
                .map_err(draw_err)?;
            if r >= 3 {
                root.draw(&Circle::new(p, r, ctx.stroke(t.ink, 0.3)))
                    .map_err(draw_err)?;
            }
            if labelled {
                let (ux, uy) = pos[i];
                let lp = (
                    (cx + (radius + r as f64 + ctx.px(2.0)) * ux).round() as i32,
                    (cy - (radius + r as f64 + ctx.px(2.0)) * uy).round() as i32,
                );
                let h_pos = if ux > 0.2 {
                    HPos::Left
                } else if ux < -0.2 {
                    HPos::Right
                } else {
                    HPos::Center
                };
                let v_pos = if uy > 0.2 {
                    VPos::Bottom
                } else if uy < -0.2 {
                    VPos::Top
                } else {
                    VPos::Center
                };
                root.draw(&Text::new(
                    nd.id.clone(),
                    lp,
                    tick.pos(Pos::new(h_pos, v_pos)),
                ))
                .map_err(draw_err)?;
            }
        }
        let bar_x = bx + w - bar_w;
        let bar_h = (h * 2 / 3).max(10);
        let top = by + (h - bar_h) / 2;
        colorbar(root, ctx, &scale, (bar_x, top, top + bar_h), viridis)
    }
}

/// Per bank, the share of paths on which it failed (the point estimate), in scenario order.
pub fn failure_probabilities(agg: &Aggregates) -> Vec<f64> {
    agg.bank_failures
        .iter()
        .map(|b| b.failure.estimate)
        .collect()
}

/// The network of `scenario`'s banks with an exposure matrix `x[(lender, borrower)]` (as from
/// `sim::model::network::exposures`) and failure probabilities in scenario order.
pub fn network_from(
    scenario: &Scenario,
    exposures: &DMatrix<f64>,
    failure: &[f64],
    labels: &Labels,
) -> Result<NetworkChart> {
    let n = scenario.banks.len();
    if exposures.nrows() != n || exposures.ncols() != n {
        return Err(Error::InvalidInput {
            chart: "network",
            message: format!(
                "exposure matrix is {}×{} for {n} banks",
                exposures.nrows(),
                exposures.ncols()
            ),
        });
    }
    let mut edges = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let v = exposures[(i, j)];
            if v != 0.0 {
                edges.push((i, j, v));
            }
        }
    }
    network_from_edges(scenario, &edges, failure, labels)
}

/// The network of `scenario`'s banks from `(lender, borrower, exposure)` triples.
pub fn network_from_edges(
    scenario: &Scenario,
    edges: &[(usize, usize, f64)],
    failure: &[f64],
    labels: &Labels,
) -> Result<NetworkChart> {
    if failure.len() != scenario.banks.len() {
        return Err(Error::InvalidInput {
            chart: "network",
            message: format!(
                "{} failure probabilities for {} banks",
                failure.len(),
                scenario.banks.len()
            ),
        });
    }
    let nodes: Vec<NetworkNode> = scenario
        .banks
        .iter()
        .zip(failure)
        .map(|(b, &p)| NetworkNode {
            id: b.id.clone(),
            assets: b.assets(),
            failure_probability: p,
        })
        .collect();
    let edges: Vec<NetworkEdge> = edges
        .iter()
        .map(|&(lender, borrower, exposure)| NetworkEdge {
            lender,
            borrower,
            exposure,
        })
        .collect();
    let max_edges = 2000;
    let shown = edges.len().min(max_edges);
    let money = labels
        .currency
        .clone()
        .unwrap_or_else(|| "currency units".into());
    if nodes.len() > MATRIX_FROM {
        return Ok(NetworkChart {
            title: labels.title("Interbank exposures"),
            subtitle: Some(format!(
                "{} banks, {} exposures; banks ranked by interbank exposure (lent plus borrowed), largest first, in blocks of {}",
                super::layout::fmt_number(nodes.len() as f64, 0),
                super::layout::fmt_number(edges.len() as f64, 0),
                nodes
                    .len()
                    .div_ceil(super::network_matrix::MAX_BLOCKS)
                    .max(1)
            )),
            note: Some(format!(
                "Cell colour: exposures from a block of lending banks (rows, rank 0 the most exposed) to a block of borrowing banks (columns), {money}, log scale; empty cells have none. Right: share of paths on which the block's banks failed."
            )),
            nodes,
            edges,
            max_edges: 0,
        });
    }
    Ok(NetworkChart {
        title: labels.title("Interbank network"),
        subtitle: Some(format!(
            "{} banks, {} exposures{}; clockwise from the top by total assets",
            nodes.len(),
            edges.len(),
            if shown < edges.len() {
                format!(" ({shown} largest drawn)")
            } else {
                String::new()
            }
        )),
        note: Some(format!(
            "Node area ∝ total assets ({money}); edge width ∝ √exposure; colour: share of paths on which the bank failed."
        )),
        nodes,
        edges,
        max_edges,
    })
}
