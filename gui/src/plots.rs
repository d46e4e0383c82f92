//! Interactive versions of the report's charts, drawn with `egui_plot` from the same chart data the
//! `reports` crate builds (so the numbers on screen are the numbers exported). Every plot zooms
//! (scroll, drag a box with the right button), pans (drag), resets (double-click) and shows values
//! under the pointer.

use egui::Color32;
use egui_plot::{Bar, BarChart, FilledArea, HLine, Legend, Line, Plot, PlotPoints, Points, VLine};
use reports::charts::{
    AttributionChart, FanChart, HerdingChart, HistogramChart, NetworkChart, OKABE_ITO, SweepGrid,
    SweepLines, viridis,
};

/// Palette colour `i` (Okabe-Ito, as in the exported charts).
pub fn colour(i: usize) -> Color32 {
    let c = OKABE_ITO[i % OKABE_ITO.len()];
    Color32::from_rgb(c.0, c.1, c.2)
}

fn base(id: &str, height: f32) -> Plot<'static> {
    Plot::new(id.to_string())
        .height(height)
        .legend(Legend::default())
        .allow_boxed_zoom(true)
}

fn title(ui: &mut egui::Ui, text: &str, subtitle: Option<&str>) {
    ui.strong(text);
    if let Some(s) = subtitle {
        ui.weak(s);
    }
}

/// A fan chart: median with 50% and 90% bands per series (or, for a chart of estimates with an
/// interval, the estimate with its interval band).
pub fn fan(ui: &mut egui::Ui, id: &str, chart: &FanChart, height: f32) {
    fan_marked(ui, id, chart, &[], None, height);
}

/// [`fan`] with vertical markers at some x values (e.g. the quarters where alarms were raised),
/// each named in the legend, and a dashed horizontal line at a threshold.
pub fn fan_marked(
    ui: &mut egui::Ui,
    id: &str,
    chart: &FanChart,
    marks: &[(f64, String)],
    threshold: Option<f64>,
    height: f32,
) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let quantiles = chart.interval.is_none();
    match (chart.interval.as_deref(), &chart.note) {
        (None, _) => {
            ui.weak("Line: median across paths; bands: 50% (dark) and 90% (light) of paths.")
        }
        // A chart of estimates says what its line and band are in its note.
        (Some(_), Some(note)) => ui.weak(note),
        (Some(""), None) => ui.weak("Line: the estimate each quarter."),
        (Some(band), None) => ui.weak(format!(
            "Line: the estimate each quarter; band: its {band}."
        )),
    };
    base(id, height)
        .x_axis_label(chart.x_label.clone())
        .y_axis_label(chart.y_label.clone())
        .show(ui, |plot| {
            for (i, s) in chart.series.iter().enumerate() {
                let c = colour(i);
                let xs: Vec<f64> = s.points.iter().map(|p| p.x).collect();
                let col = |f: fn(&reports::charts::FanPoint) -> f64| -> Vec<f64> {
                    s.points.iter().map(f).collect()
                };
                let (p05, p25, p50, p75, p95) = (
                    col(|p| p.p05),
                    col(|p| p.p25),
                    col(|p| p.p50),
                    col(|p| p.p75),
                    col(|p| p.p95),
                );
                // One legend entry per series (its line); unnamed bands stay out of it.
                let name = if !s.name.is_empty() {
                    s.name.clone()
                } else if quantiles {
                    "median".to_string()
                } else {
                    "estimate".to_string()
                };
                plot.add(FilledArea::new("", &xs, &p05, &p95).fill_color(c.gamma_multiply(0.18)));
                if quantiles {
                    plot.add(
                        FilledArea::new("", &xs, &p25, &p75).fill_color(c.gamma_multiply(0.35)),
                    );
                }
                let median: PlotPoints = xs.iter().zip(&p50).map(|(&x, &y)| [x, y]).collect();
                plot.line(Line::new(name.clone(), median).color(c).width(2.0));
                if xs.len() == 1 {
                    plot.points(
                        Points::new(name, vec![[xs[0], p50[0]]])
                            .color(c)
                            .radius(3.0),
                    );
                }
            }
            if let Some(t) = threshold {
                plot.hline(
                    HLine::new(format!("threshold {t}"), t)
                        .color(Color32::from_rgb(200, 40, 40))
                        .style(egui_plot::LineStyle::dashed_loose())
                        .width(1.0),
                );
            }
            for (x, label) in marks {
                plot.vline(
                    VLine::new(label.clone(), *x)
                        .color(Color32::from_rgb(200, 40, 40))
                        .width(1.5),
                );
            }
        });
}

/// A histogram of one value per path, with VaR and expected-shortfall markers.
pub fn histogram(ui: &mut egui::Ui, id: &str, chart: &HistogramChart, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let bars: Vec<Bar> = chart
        .bin_counts()
        .into_iter()
        .map(|(lo, hi, n)| {
            Bar::new((lo + hi) / 2.0, n as f64)
                .width((hi - lo).max(f64::MIN_POSITIVE))
                .name(format!("{lo:.4} to {hi:.4}"))
        })
        .collect();
    base(id, height)
        .x_axis_label(chart.x_label.clone())
        .y_axis_label("paths")
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("paths", bars).color(colour(0)));
            for (i, m) in chart.markers.iter().enumerate() {
                plot.vline(
                    VLine::new(
                        format!("{} = {}", m.label, reports::output::fmt_num(m.value)),
                        m.value,
                    )
                    .color(colour(i + 1))
                    .width(1.5),
                );
            }
        });
}

/// Herding measures against their independence baselines, one plot per panel.
pub fn herding(ui: &mut egui::Ui, id: &str, chart: &HerdingChart, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let n = chart.panels.len().max(1);
    ui.columns(n, |cols| {
        for (i, (col, p)) in cols.iter_mut().zip(&chart.panels).enumerate() {
            col.label(&p.name);
            base(&format!("{id}-{i}"), height)
                .x_axis_label(chart.x_label.clone())
                .y_axis_label(p.y_label.clone())
                .show(col, |plot| {
                    let xs: Vec<f64> = p.measure.iter().map(|q| q.x).collect();
                    let lo: Vec<f64> = p.measure.iter().map(|q| q.p05).collect();
                    let hi: Vec<f64> = p.measure.iter().map(|q| q.p95).collect();
                    plot.add(
                        FilledArea::new("90% band", &xs, &lo, &hi)
                            .fill_color(colour(0).gamma_multiply(0.2)),
                    );
                    let med: PlotPoints = p.measure.iter().map(|q| [q.x, q.p50]).collect();
                    plot.line(Line::new("median", med).color(colour(0)).width(2.0));
                    let b: PlotPoints = p.baseline.iter().map(|&(x, y)| [x, y]).collect();
                    plot.line(
                        Line::new("independent models", b)
                            .color(colour(1))
                            .style(egui_plot::LineStyle::dashed_loose()),
                    );
                });
        }
    });
}

/// Losses by channel: stacked bars.
pub fn attribution(ui: &mut egui::Ui, id: &str, chart: &AttributionChart, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let cats = chart.categories.clone();
    let mut charts: Vec<BarChart> = Vec::new();
    for (ci, name) in chart.channels.iter().enumerate() {
        let values = chart.values.get(ci).cloned().unwrap_or_default();
        let bars: Vec<Bar> = values
            .iter()
            .enumerate()
            .map(|(k, &v)| {
                Bar::new(k as f64, v)
                    .width(0.7)
                    .name(cats.get(k).cloned().unwrap_or_default())
            })
            .collect();
        let refs: Vec<&BarChart> = charts.iter().collect();
        let bc = BarChart::new(name.clone(), bars)
            .color(colour(ci))
            .stack_on(&refs);
        charts.push(bc);
    }
    let labels = cats.clone();
    base(id, height)
        .x_axis_label(chart.x_label.clone())
        .y_axis_label(chart.y_label.clone())
        .x_axis_formatter(move |mark, _range| {
            let k = mark.value.round();
            if (mark.value - k).abs() < 1e-6 && k >= 0.0 {
                labels.get(k as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            for c in charts {
                plot.bar_chart(c);
            }
        });
}

/// The interbank network on a circle: node size by assets, colour by failure probability.
pub fn network(ui: &mut egui::Ui, id: &str, chart: &NetworkChart, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let pos = chart.layout();
    let max_assets = chart
        .nodes
        .iter()
        .map(|n| n.assets)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let max_exp = chart
        .edges
        .iter()
        .map(|e| e.exposure)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    // No legend: one entry per bank would bury the plot; hover a bank for its numbers instead.
    let r_max = (200.0 / chart.nodes.len().max(1) as f32).clamp(2.0, 14.0);
    Plot::new(id.to_string())
        .height(height)
        .allow_boxed_zoom(true)
        .data_aspect(1.0)
        .show_axes(false)
        .show_grid(false)
        .show(ui, |plot| {
            for e in chart.drawn_edges() {
                let (Some(a), Some(b)) = (pos.get(e.lender), pos.get(e.borrower)) else {
                    continue;
                };
                let w = 0.3 + 2.5 * (e.exposure / max_exp) as f32;
                plot.line(
                    Line::new("exposures", vec![[a.0, a.1], [b.0, b.1]])
                        .color(Color32::from_gray(150).gamma_multiply(0.6))
                        .width(w)
                        .allow_hover(false),
                );
            }
            for (i, n) in chart.nodes.iter().enumerate() {
                let Some(p) = pos.get(i) else { continue };
                let c = viridis(n.failure_probability.clamp(0.0, 1.0));
                let r = 1.5 + r_max * (n.assets / max_assets).sqrt() as f32;
                plot.points(
                    Points::new(
                        format!(
                            "{}: assets {:.0}, failure {:.1}%",
                            n.id,
                            n.assets,
                            100.0 * n.failure_probability
                        ),
                        vec![[p.0, p.1]],
                    )
                    .color(Color32::from_rgb(c.0, c.1, c.2))
                    .radius(r)
                    .filled(true),
                );
            }
        });
    ui.weak("Colour: failure probability across paths (dark = low, yellow = high). Hover a bank for its numbers.");
}

/// A one-parameter sweep: the measure's mean with its interval against the parameter.
pub fn sweep_line(ui: &mut egui::Ui, id: &str, chart: &SweepLines, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    base(id, height)
        .x_axis_label(chart.param.clone())
        .y_axis_label(chart.y_label.clone())
        .show(ui, |plot| {
            for (i, s) in chart.series.iter().enumerate() {
                // Cells still running are NaN: draw the finished ones only.
                let rows: Vec<(f64, f64, f64, f64)> = chart
                    .values
                    .iter()
                    .enumerate()
                    .map(|(k, &x)| {
                        let at = |v: &Option<Vec<f64>>| {
                            v.as_ref()
                                .and_then(|v| v.get(k))
                                .copied()
                                .unwrap_or(f64::NAN)
                        };
                        (
                            x,
                            s.mean.get(k).copied().unwrap_or(f64::NAN),
                            at(&s.low),
                            at(&s.high),
                        )
                    })
                    .filter(|r| r.1.is_finite())
                    .collect();
                let xs: Vec<f64> = rows.iter().map(|r| r.0).collect();
                let lo: Vec<f64> = rows.iter().map(|r| r.2).collect();
                let hi: Vec<f64> = rows.iter().map(|r| r.3).collect();
                if lo.iter().chain(&hi).all(|v| v.is_finite()) {
                    plot.add(
                        FilledArea::new(format!("{} {}", s.name, chart.band_label), &xs, &lo, &hi)
                            .fill_color(colour(i).gamma_multiply(0.2)),
                    );
                }
                let pts: PlotPoints = rows.iter().map(|r| [r.0, r.1]).collect();
                plot.line(Line::new(s.name.clone(), pts).color(colour(i)).width(2.0));
                let dots: PlotPoints = rows.iter().map(|r| [r.0, r.1]).collect();
                plot.points(
                    Points::new(s.name.clone(), dots)
                        .color(colour(i))
                        .radius(4.0),
                );
            }
        });
}

/// A parameter value, short: as written when it is, else with 4 decimals (0.3333).
fn short(x: f64) -> String {
    let s = format!("{x}");
    if s.len() <= 7 {
        s
    } else {
        let t = format!("{x:.4}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A two-parameter sweep as a grid of coloured cells; returns the cell clicked, `(x, y)` indices.
pub fn sweep_grid(ui: &mut egui::Ui, chart: &SweepGrid) -> Option<(usize, usize)> {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let finite = chart
        .values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let mut clicked = None;
    ui.label(format!(
        "Rows: {}, columns: {}. Click a cell to open its results.",
        chart.y_param, chart.x_param
    ));
    egui::Grid::new("sweep-grid")
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            for x in &chart.x_values {
                ui.strong(short(*x));
            }
            ui.end_row();
            for (yi, y) in chart.y_values.iter().enumerate().rev() {
                ui.strong(short(*y));
                for xi in 0..chart.x_values.len() {
                    let v = chart
                        .values
                        .get(yi)
                        .and_then(|r| r.get(xi))
                        .copied()
                        .unwrap_or(f64::NAN);
                    let (fill, text) = if v.is_finite() {
                        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                        let c = viridis(t);
                        let text_colour = if t > 0.6 {
                            Color32::BLACK
                        } else {
                            Color32::WHITE
                        };
                        (
                            Color32::from_rgb(c.0, c.1, c.2),
                            egui::RichText::new(reports::output::fmt_num(v)).color(text_colour),
                        )
                    } else {
                        (Color32::from_gray(60), egui::RichText::new("..."))
                    };
                    let b = egui::Button::new(text)
                        .fill(fill)
                        .min_size(egui::vec2(78.0, 30.0));
                    let what = format!(
                        "{} = {}, {} = {}: {}",
                        chart.x_param,
                        short(chart.x_values[xi]),
                        chart.y_param,
                        short(*y),
                        reports::output::fmt_num(v)
                    );
                    let r = ui
                        .add(b)
                        .on_hover_text(format!("{what} (click to open this cell)"));
                    ui.ctx()
                        .accesskit_node_builder(r.id, |n| n.set_label(what.clone()));
                    if r.clicked() && v.is_finite() {
                        clicked = Some((xi, yi));
                    }
                }
                ui.end_row();
            }
        });
    ui.weak(format!(
        "Colour: {} (dark = low, yellow = high).",
        chart.measure
    ));
    clicked
}
