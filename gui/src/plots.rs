//! Interactive versions of the report's charts, drawn with `egui_plot` from the same chart data the
//! `reports` crate builds (so the numbers on screen are the numbers exported). Every plot zooms
//! (scroll, drag a box with the right button), pans (drag), resets (double-click) and shows values
//! under the pointer.

use egui::Color32;
use egui_plot::{
    Bar, BarChart, FilledArea, GridInput, GridMark, HLine, Line, Plot, PlotPoints, Points, VLine,
};
use reports::charts::{
    AttributionChart, FanChart, HerdingChart, HistogramChart, NetworkChart, OKABE_ITO,
    RegionNetworkChart, SweepGrid, SweepLines, viridis,
};

/// Palette colour `i` (Okabe-Ito, as in the exported charts).
pub fn colour(i: usize) -> Color32 {
    let c = OKABE_ITO[i % OKABE_ITO.len()];
    Color32::from_rgb(c.0, c.1, c.2)
}

/// Tick marks for an axis showing `bounds` over `pixels` points: the smallest "nice" step (1, 2,
/// 2.5 or 5 times a power of ten; for whole numbers 1, 2, 3, 4, 5, 10, 20, 25, 50...) that keeps
/// labels at least `min_gap` points apart and gives at most 8 marks. An axis long enough for
/// four labels gets at least three marks; a short one never fewer than two.
pub fn nice_marks(bounds: (f64, f64), pixels: f64, min_gap: f64, whole: bool) -> Vec<GridMark> {
    let (lo, hi) = (bounds.0.min(bounds.1), bounds.0.max(bounds.1));
    let range = hi - lo;
    if !range.is_finite() || range <= 0.0 || pixels <= 0.0 {
        return Vec::new();
    }
    let marks = |step: f64| -> Vec<GridMark> {
        let first = (lo / step).ceil() as i64;
        let last = (hi / step).floor() as i64;
        (first..=last)
            .map(|k| GridMark {
                value: k as f64 * step,
                step_size: step,
            })
            .collect()
    };
    let start = range.log10().floor() as i32 - 3;
    for e in start..start + 6 {
        let mag = 10f64.powi(e);
        let mantissas: &[f64] = if whole && e == 0 {
            &[1.0, 2.0, 3.0, 4.0, 5.0]
        } else {
            &[1.0, 2.0, 2.5, 5.0]
        };
        for m in mantissas {
            let step = m * mag;
            if whole && (step < 1.0 || step.fract() != 0.0) {
                continue;
            }
            if step / range * pixels >= min_gap && range / step <= 7.0 {
                let out = marks(step);
                if out.len() >= 2 {
                    return out;
                }
            }
        }
    }
    // Too short for two labels at a nice step: the two ends.
    vec![
        GridMark {
            value: lo,
            step_size: range,
        },
        GridMark {
            value: hi,
            step_size: range,
        },
    ]
}

/// A tick label with as many decimals as its step needs (`2.5`, `0.00025`, `1,000,000` as
/// `1000000`), never rounded to a neighbour's text.
pub fn tick_label(mark: GridMark) -> String {
    let step = mark.step_size.abs();
    if !step.is_finite() || step == 0.0 {
        return format!("{}", mark.value);
    }
    // Decimals of the step itself (2.5 needs one, 0.25 two).
    let mut decimals = 0usize;
    while decimals < 12 {
        let scaled = step * 10f64.powi(decimals as i32);
        if (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0) {
            break;
        }
        decimals += 1;
    }
    let v = if mark.value.abs() < step * 1e-9 {
        0.0
    } else {
        mark.value
    };
    format!("{v:.decimals$}")
}

/// The points an axis is long, from a grid input (its base step is 8 points of value).
fn axis_pixels(input: &GridInput) -> f64 {
    let range = (input.bounds.1 - input.bounds.0).abs();
    if input.base_step_size > 0.0 {
        range / input.base_step_size * 8.0
    } else {
        0.0
    }
}

/// The least distance between tick labels: x labels are wide, y labels are short.
const X_GAP: f64 = 70.0;
const Y_GAP: f64 = 28.0;

fn base(id: &str, height: f32) -> Plot<'static> {
    base_counts(id, height, false, false)
}

/// A plot with nice tick marks on both axes (whole numbers on x when `whole_x`, on y when
/// `whole_y`), no legend inside it (legends go above the plot: [`legend`]) and boxed zoom.
fn base_counts(id: &str, height: f32, whole_x: bool, whole_y: bool) -> Plot<'static> {
    Plot::new(id.to_string())
        .height(height)
        .allow_boxed_zoom(true)
        .x_grid_spacer(move |g| nice_marks(g.bounds, axis_pixels(&g), X_GAP, whole_x))
        .y_grid_spacer(move |g| nice_marks(g.bounds, axis_pixels(&g), Y_GAP, whole_y))
        .x_axis_formatter(|m, _| tick_label(m))
        .y_axis_formatter(|m, _| tick_label(m))
        .y_axis_min_width(48.0)
}

/// A legend entry: its name, colour and how it is drawn.
#[derive(Clone, Debug)]
pub struct Key {
    /// The name, as in the plot.
    pub name: String,
    /// Its colour.
    pub colour: Color32,
    /// A band (a filled swatch) rather than a line.
    pub band: bool,
}

impl Key {
    /// A line's entry.
    pub fn line(name: impl Into<String>, colour: Color32) -> Key {
        Key {
            name: name.into(),
            colour,
            band: false,
        }
    }
    /// A band's entry.
    pub fn band(name: impl Into<String>, colour: Color32) -> Key {
        Key {
            name: name.into(),
            colour,
            band: true,
        }
    }
}

/// The legend of plot `id`, drawn above it (never over the data): one toggle per entry, with its
/// colour; clicking one hides or shows that series. Returns the names hidden.
pub fn legend(ui: &mut egui::Ui, id: &str, keys: &[Key]) -> std::collections::BTreeSet<String> {
    let mem = egui::Id::unique(("legend-hidden", id));
    let mut hidden: std::collections::BTreeSet<String> =
        ui.data(|d| d.get_temp(mem)).unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        for k in keys {
            let shown = !hidden.contains(&k.name);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 12.0), egui::Sense::hover());
            let c = if shown {
                k.colour
            } else {
                k.colour.gamma_multiply(0.25)
            };
            if k.band {
                ui.painter().rect_filled(rect.shrink(1.0), 2.0, c);
            } else {
                ui.painter().line_segment(
                    [rect.left_center(), rect.right_center()],
                    egui::Stroke::new(2.5, c),
                );
            }
            let r = ui
                .selectable_label(shown, &k.name)
                .on_hover_text("Click to hide or show this series");
            let label = format!("legend: {}", k.name);
            ui.ctx()
                .accesskit_node_builder(r.id, |n| n.set_label(label.clone()));
            if r.clicked() {
                if shown {
                    hidden.insert(k.name.clone());
                } else {
                    hidden.remove(&k.name);
                }
            }
            ui.add_space(8.0);
        }
    });
    ui.data_mut(|d| d.insert_temp(mem, hidden.clone()));
    hidden
}

/// Gives a plot's area an accessible name, `plot: TITLE` (tests find it, and the legend beside it,
/// by their names).
pub fn name_plot(ui: &egui::Ui, r: &egui::Response, title: &str) {
    let label = format!("plot: {title}");
    ui.ctx()
        .accesskit_node_builder(r.id, |n| n.set_label(label.clone()));
}

/// A staircase through `(x, y)`: each value held until the next x (counts change by steps).
pub fn steps(xs: &[f64], ys: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut sx = Vec::with_capacity(2 * xs.len());
    let mut sy = Vec::with_capacity(2 * xs.len());
    for (i, (&x, &y)) in xs.iter().zip(ys).enumerate() {
        if i > 0 {
            sx.push(x);
            sy.push(ys[i - 1]);
        }
        sx.push(x);
        sy.push(y);
    }
    (sx, sy)
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
/// each named in the legend, and a dashed horizontal line at a threshold. Counts (failed banks)
/// are drawn as steps; the legend is above the plot and hides a series when clicked.
pub fn fan_marked(
    ui: &mut egui::Ui,
    id: &str,
    chart: &FanChart,
    marks: &[(f64, String)],
    threshold: Option<f64>,
    height: f32,
) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    fan_caption(ui, chart);
    let names = fan_names(chart);
    let mut keys: Vec<Key> = names
        .iter()
        .enumerate()
        .map(|(i, n)| Key::line(n.clone(), colour(i)))
        .collect();
    if let Some(t) = threshold {
        keys.push(Key::line(format!("threshold {t}"), ALARM));
    }
    for (_, label) in marks {
        if !keys.iter().any(|k| k.name == *label) {
            keys.push(Key::line(label.clone(), ALARM));
        }
    }
    let hidden = legend(ui, id, &keys);
    let mut plot = base_counts(id, height, whole_x(chart), chart.counts)
        .x_axis_label(chart.x_label.clone())
        .y_axis_label(chart.y_label.clone());
    if chart.counts {
        // Counts start at 0, and a count that stays 0 still gets an axis of whole numbers.
        plot = plot.include_y(0.0).include_y(1.0);
    }
    let r = plot.show(ui, |plot| {
        for (i, (s, name)) in chart.series.iter().zip(&names).enumerate() {
            if !hidden.contains(name) {
                fan_series(
                    plot,
                    s,
                    name,
                    colour(i),
                    chart.counts,
                    chart.interval.is_none(),
                );
            }
        }
        if let Some(t) = threshold
            && !hidden.contains(&format!("threshold {t}"))
        {
            plot.hline(
                HLine::new(format!("threshold {t}"), t)
                    .color(ALARM)
                    .style(egui_plot::LineStyle::dashed_loose())
                    .width(1.0),
            );
        }
        for (x, label) in marks {
            if !hidden.contains(label) {
                plot.vline(VLine::new(label.clone(), *x).color(ALARM).width(1.5));
            }
        }
    });
    name_plot(ui, &r.response, &chart.title);
}

/// The colour of alarms and thresholds.
const ALARM: Color32 = Color32::from_rgb(200, 40, 40);

/// Whether a chart's x values are all whole numbers (quarters): ticks at whole numbers only.
fn whole_x(chart: &FanChart) -> bool {
    chart
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .all(|p| p.x.fract() == 0.0)
}

/// What the line and bands of a fan chart are, under its title.
fn fan_caption(ui: &mut egui::Ui, chart: &FanChart) {
    match (chart.interval.as_deref(), &chart.note) {
        (None, _) => ui.weak(if chart.counts {
            "Steps: median across paths; bands: 50% (dark) and 90% (light) of paths."
        } else {
            "Line: median across paths; bands: 50% (dark) and 90% (light) of paths."
        }),
        // A chart of estimates says what its line and band are in its note.
        (Some(_), Some(note)) => ui.weak(note),
        (Some(""), None) => ui.weak("Line: the estimate each quarter."),
        (Some(band), None) => ui.weak(format!(
            "Line: the estimate each quarter; band: its {band}."
        )),
    };
}

/// The legend names of a fan chart's series.
fn fan_names(chart: &FanChart) -> Vec<String> {
    chart
        .series
        .iter()
        .map(|s| {
            if !s.name.is_empty() {
                s.name.clone()
            } else if chart.interval.is_none() {
                "median".to_string()
            } else {
                "estimate".to_string()
            }
        })
        .collect()
}

/// One fan: the 90% band (or the interval), the 50% band for quantiles, and the median (or
/// estimate) line; as steps for counts.
fn fan_series(
    plot: &mut egui_plot::PlotUi<'_>,
    s: &reports::charts::FanSeries,
    name: &str,
    c: Color32,
    counts: bool,
    quantiles: bool,
) {
    let xs: Vec<f64> = s.points.iter().map(|p| p.x).collect();
    let col =
        |f: fn(&reports::charts::FanPoint) -> f64| -> Vec<f64> { s.points.iter().map(f).collect() };
    let shape = |ys: Vec<f64>| -> (Vec<f64>, Vec<f64>) {
        if counts {
            steps(&xs, &ys)
        } else {
            (xs.clone(), ys)
        }
    };
    let (x5, p05) = shape(col(|p| p.p05));
    let (_, p95) = shape(col(|p| p.p95));
    plot.add(FilledArea::new("", &x5, &p05, &p95).fill_color(c.gamma_multiply(0.18)));
    if quantiles {
        let (x2, p25) = shape(col(|p| p.p25));
        let (_, p75) = shape(col(|p| p.p75));
        plot.add(FilledArea::new("", &x2, &p25, &p75).fill_color(c.gamma_multiply(0.35)));
    }
    let (xm, p50) = shape(col(|p| p.p50));
    let median: PlotPoints = xm.iter().zip(&p50).map(|(&x, &y)| [x, y]).collect();
    // Steps repeat x values: drawn as a line, never aggregated into a band.
    plot.line(
        Line::new(name.to_string(), median)
            .color(c)
            .width(2.0)
            .allow_band(false),
    );
    if xs.len() == 1 {
        plot.points(
            Points::new(name.to_string(), vec![[xs[0], p50[0]]])
                .color(c)
                .radius(3.0),
        );
    }
}

/// A fan chart of several series as small multiples: one panel per series (e.g. per region) in
/// a grid that grows with their number, every panel on the same axes and scales (zoom and pan
/// move them together), never overlapping translucent bands.
pub fn fan_panels(ui: &mut egui::Ui, id: &str, chart: &FanChart, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    fan_caption(ui, chart);
    let n = chart.series.len().max(1);
    let (lo, hi) = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.p05), b.max(p.p95))
        });
    let cols = match n {
        1 => 1,
        2 | 4 => 2,
        _ => 3,
    };
    let rows = n.div_ceil(cols);
    let panel_h = ((height - 24.0 * rows as f32) / rows as f32).max(150.0);
    let names = fan_names(chart);
    let group = egui::Id::unique(("panels", id));
    let panels: Vec<(usize, &reports::charts::FanSeries)> =
        chart.series.iter().enumerate().collect();
    for row in panels.chunks(cols) {
        ui.columns(cols, |columns| {
            for (ui, &(i, s)) in columns.iter_mut().zip(row) {
                let name = &names[i];
                ui.strong(name);
                let mut plot =
                    base_counts(&format!("{id}-{i}"), panel_h, whole_x(chart), chart.counts)
                        .link_axis(group, [true, true])
                        .link_cursor(group, [true, false])
                        .x_axis_label(chart.x_label.clone());
                if i % cols == 0 {
                    plot = plot.y_axis_label(chart.y_label.clone());
                }
                if lo.is_finite() && hi.is_finite() {
                    plot = plot.include_y(lo).include_y(hi);
                }
                let r = plot.show(ui, |plot| {
                    fan_series(
                        plot,
                        s,
                        name,
                        colour(0),
                        chart.counts,
                        chart.interval.is_none(),
                    );
                });
                name_plot(ui, &r.response, &format!("{} - {name}", chart.title));
            }
        });
        ui.add_space(8.0);
    }
}

/// Error bars: a vertical segment from `low` to `high` at each x, with short caps.
fn error_bars(
    plot: &mut egui_plot::PlotUi<'_>,
    name: &str,
    rows: &[(f64, f64, f64)],
    cap: f64,
    c: Color32,
) {
    for &(x, low, high) in rows {
        if !(low.is_finite() && high.is_finite()) {
            continue;
        }
        for seg in [
            vec![[x, low], [x, high]],
            vec![[x - cap, low], [x + cap, low]],
            vec![[x - cap, high], [x + cap, high]],
        ] {
            plot.line(
                Line::new(name.to_string(), PlotPoints::from(seg))
                    .color(c)
                    .width(1.5)
                    .allow_hover(false),
            );
        }
    }
}

/// The paper figure of a comparison: per region, the two fans overlaid (reference and variant,
/// each its median with 50% and 90% bands) over the paired difference with its 95% interval as
/// error bars. `only` shows one region large; `None` every region as small multiples.
pub fn overlay_figure(
    ui: &mut egui::Ui,
    id: &str,
    fig: &crate::figure::Overlay,
    only: Option<&str>,
    height: f32,
) {
    let (ca, cb) = (colour(0), colour(1));
    let hidden = legend(
        ui,
        id,
        &[
            Key::line(format!("reference: {}", fig.reference), ca),
            Key::line(format!("variant: {}", fig.variant), cb),
            Key::line("difference (variant - reference), 95% interval", colour(2)),
        ],
    );
    let show_a = !hidden.contains(&format!("reference: {}", fig.reference));
    let show_b = !hidden.contains(&format!("variant: {}", fig.variant));
    let show_d = !hidden.contains("difference (variant - reference), 95% interval");
    let panels: Vec<&crate::figure::Panel> = fig
        .panels
        .iter()
        .filter(|p| only.is_none_or(|r| r == p.region))
        .collect();
    let n = panels.len().max(1);
    let cols = if n == 1 {
        1
    } else if n <= 4 {
        2
    } else {
        3
    };
    let rows = n.div_ceil(cols);
    let cell = ((height - 40.0 * rows as f32) / rows as f32).max(220.0);
    let (fan_h, diff_h) = (cell * 0.62, cell * 0.38);
    let group = egui::Id::unique(("overlay", id));
    let diff_group = egui::Id::unique(("overlay-diff", id));
    let (lo, hi) = panels
        .iter()
        .flat_map(|p| p.reference.iter().chain(&p.variant))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x.q[0]), b.max(x.q[4]))
        });
    let (dlo, dhi) = panels
        .iter()
        .flat_map(|p| p.difference.iter())
        .fold((0.0_f64, 0.0_f64), |(a, b), d| {
            (a.min(d.low), b.max(d.high))
        });
    for row in panels.chunks(cols) {
        ui.columns(cols, |columns| {
            for (ui, p) in columns.iter_mut().zip(row) {
                ui.strong(&p.region);
                let fan_id = format!("{id}-{}", p.region);
                let mut plot = base_counts(&fan_id, fan_h, true, false)
                    .link_axis(group, [true, true])
                    .link_cursor(group, [true, false])
                    .y_axis_label(crate::figure::FAN_AXIS);
                if lo.is_finite() && hi.is_finite() {
                    plot = plot.include_y(lo).include_y(hi);
                }
                let r = plot.show(ui, |plot| {
                    for (bands, c, name, show) in [
                        (&p.reference, ca, &fig.reference, show_a),
                        (&p.variant, cb, &fig.variant, show_b),
                    ] {
                        if !show {
                            continue;
                        }
                        let xs: Vec<f64> = bands.iter().map(|b| b.x).collect();
                        let q = |k: usize| -> Vec<f64> { bands.iter().map(|b| b.q[k]).collect() };
                        plot.add(
                            FilledArea::new("", &xs, &q(0), &q(4))
                                .fill_color(c.gamma_multiply(0.15)),
                        );
                        plot.add(
                            FilledArea::new("", &xs, &q(1), &q(3))
                                .fill_color(c.gamma_multiply(0.3)),
                        );
                        let med: PlotPoints = bands.iter().map(|b| [b.x, b.q[2]]).collect();
                        plot.line(
                            Line::new(name.clone(), med)
                                .color(c)
                                .width(2.0)
                                .allow_band(false),
                        );
                    }
                });
                name_plot(ui, &r.response, &format!("overlay {}", p.region));
                let diff_id = format!("{id}-{}-diff", p.region);
                let r = base_counts(&diff_id, diff_h, true, false)
                    .link_axis(diff_group, [true, true])
                    .link_cursor(group, [true, false])
                    .include_y(dlo)
                    .include_y(dhi)
                    .x_axis_label("Quarter")
                    .y_axis_label("Difference (pp)")
                    .show(ui, |plot| {
                        plot.hline(
                            HLine::new("zero", 0.0)
                                .color(Color32::GRAY)
                                .style(egui_plot::LineStyle::dashed_loose()),
                        );
                        if !show_d {
                            return;
                        }
                        let c = colour(2);
                        let rows: Vec<(f64, f64, f64)> =
                            p.difference.iter().map(|d| (d.x, d.low, d.high)).collect();
                        error_bars(plot, "95% interval", &rows, 0.15, c);
                        let mean: PlotPoints = p.difference.iter().map(|d| [d.x, d.mean]).collect();
                        plot.points(
                            Points::new("difference", mean)
                                .color(c)
                                .radius(3.5)
                                .filled(true),
                        );
                    });
                name_plot(ui, &r.response, &format!("difference {}", p.region));
            }
        });
        ui.add_space(10.0);
    }
    ui.weak(format!(
        "Lines: medians across {} paths; bands: 50% and 90% of paths. Below: the mean of the path-by-path differences (variant minus reference, on the same paths and seed) with its 95% interval; the dashed line is no difference.",
        fig.paths
    ));
}

/// Differences with their intervals as horizontal error bars, one row per measure: the point is
/// the mean difference, the bar its 95% interval, a dashed line at 0; values relative to the
/// reference's mean (percent) so measures of different units share an axis.
pub fn difference_bars(ui: &mut egui::Ui, id: &str, rows: &[(String, f64, f64, f64)], height: f32) {
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let n = rows.len();
    let r = Plot::new(id.to_string())
        .height(height)
        .allow_boxed_zoom(true)
        .x_grid_spacer(move |g| nice_marks(g.bounds, axis_pixels(&g), X_GAP, false))
        .x_axis_formatter(|m, _| tick_label(m))
        .x_axis_label("Difference, % of the reference's mean (95% interval)")
        .y_axis_min_width(160.0)
        .y_grid_spacer(move |g| {
            let (lo, hi) = g.bounds;
            (0..n)
                .map(|k| k as f64)
                .filter(|y| *y >= lo && *y <= hi)
                .map(|value| GridMark {
                    value,
                    step_size: 1.0,
                })
                .collect()
        })
        .y_axis_formatter(move |m, _| {
            let k = m.value.round();
            if (m.value - k).abs() < 1e-6 && k >= 0.0 {
                names.get(k as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .include_x(0.0)
        .show(ui, |plot| {
            plot.vline(
                VLine::new("no difference", 0.0)
                    .color(Color32::GRAY)
                    .style(egui_plot::LineStyle::dashed_loose()),
            );
            for (k, (name, mean, low, high)) in rows.iter().enumerate() {
                let y = k as f64;
                let c = if *low > 0.0 || *high < 0.0 {
                    colour(5)
                } else {
                    Color32::GRAY
                };
                plot.line(
                    Line::new(name.clone(), vec![[*low, y], [*high, y]])
                        .color(c)
                        .width(2.0),
                );
                for x in [*low, *high] {
                    plot.line(
                        Line::new(name.clone(), vec![[x, y - 0.15], [x, y + 0.15]])
                            .color(c)
                            .width(2.0)
                            .allow_hover(false),
                    );
                }
                plot.points(
                    Points::new(name.clone(), vec![[*mean, y]])
                        .color(c)
                        .radius(4.0)
                        .filled(true),
                );
            }
        });
    name_plot(ui, &r.response, "paired differences");
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
    let marker = |m: &reports::charts::Marker| {
        format!("{} = {}", m.label, reports::output::fmt_num(m.value))
    };
    let mut keys = vec![Key::band("paths", colour(0))];
    keys.extend(
        chart
            .markers
            .iter()
            .enumerate()
            .map(|(i, m)| Key::line(marker(m), colour(i + 1))),
    );
    let hidden = legend(ui, id, &keys);
    let r = base_counts(id, height, false, true)
        .x_axis_label(chart.x_label.clone())
        .y_axis_label("paths")
        .show(ui, |plot| {
            if !hidden.contains("paths") {
                plot.bar_chart(BarChart::new("paths", bars).color(colour(0)));
            }
            for (i, m) in chart.markers.iter().enumerate() {
                if hidden.contains(&marker(m)) {
                    continue;
                }
                plot.vline(
                    VLine::new(marker(m), m.value)
                        .color(colour(i + 1))
                        .width(1.5),
                );
            }
        });
    name_plot(ui, &r.response, &chart.title);
}

/// Herding measures against their independence baselines, one plot per panel, with one legend
/// above them.
pub fn herding(ui: &mut egui::Ui, id: &str, chart: &HerdingChart, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let n = chart.panels.len().max(1);
    let hidden = legend(
        ui,
        id,
        &[
            Key::band("90% band", colour(0).gamma_multiply(0.4)),
            Key::line("median", colour(0)),
            Key::line("independent models", colour(1)),
        ],
    );
    ui.columns(n, |cols| {
        for (i, (col, p)) in cols.iter_mut().zip(&chart.panels).enumerate() {
            col.label(&p.name);
            let r = base_counts(&format!("{id}-{i}"), height, true, false)
                .x_axis_label(chart.x_label.clone())
                .y_axis_label(p.y_label.clone())
                .show(col, |plot| {
                    let xs: Vec<f64> = p.measure.iter().map(|q| q.x).collect();
                    let lo: Vec<f64> = p.measure.iter().map(|q| q.p05).collect();
                    let hi: Vec<f64> = p.measure.iter().map(|q| q.p95).collect();
                    if !hidden.contains("90% band") {
                        plot.add(
                            FilledArea::new("90% band", &xs, &lo, &hi)
                                .fill_color(colour(0).gamma_multiply(0.2)),
                        );
                    }
                    if !hidden.contains("median") {
                        let med: PlotPoints = p.measure.iter().map(|q| [q.x, q.p50]).collect();
                        plot.line(Line::new("median", med).color(colour(0)).width(2.0));
                    }
                    if !hidden.contains("independent models") {
                        let b: PlotPoints = p.baseline.iter().map(|&(x, y)| [x, y]).collect();
                        plot.line(
                            Line::new("independent models", b)
                                .color(colour(1))
                                .style(egui_plot::LineStyle::dashed_loose()),
                        );
                    }
                });
            name_plot(col, &r.response, &format!("{} - {}", chart.title, p.name));
        }
    });
}

/// Losses by channel: stacked bars, the legend above them (a hidden channel leaves the stack).
pub fn attribution(ui: &mut egui::Ui, id: &str, chart: &AttributionChart, height: f32) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let keys: Vec<Key> = chart
        .channels
        .iter()
        .enumerate()
        .map(|(ci, name)| Key::band(name.clone(), colour(ci)))
        .collect();
    let hidden = legend(ui, id, &keys);
    let cats = chart.categories.clone();
    let mut charts: Vec<BarChart> = Vec::new();
    for (ci, name) in chart.channels.iter().enumerate() {
        if hidden.contains(name) {
            continue;
        }
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
    let r = base_counts(id, height, true, false)
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
    name_plot(ui, &r.response, &chart.title);
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
    let any = chart
        .series
        .iter()
        .any(|s| s.mean.iter().any(|m| m.is_finite()));
    if !any {
        // No placeholder axes before there is data.
        ui.weak("The chart appears when the first cell finishes.");
        return;
    }
    let mut keys = Vec::new();
    for (i, s) in chart.series.iter().enumerate() {
        keys.push(Key::line(s.name.clone(), colour(i)));
        keys.push(Key::band(
            format!("{} {}", s.name, chart.band_label),
            colour(i).gamma_multiply(0.4),
        ));
    }
    let hidden = legend(ui, id, &keys);
    let r = base(id, height)
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
                let band = format!("{} {}", s.name, chart.band_label);
                if lo.iter().chain(&hi).all(|v| v.is_finite()) && !hidden.contains(&band) {
                    plot.add(
                        FilledArea::new(band, &xs, &lo, &hi)
                            .fill_color(colour(i).gamma_multiply(0.2)),
                    );
                }
                if hidden.contains(&s.name) {
                    continue;
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
    name_plot(ui, &r.response, &chart.title);
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

/// Interbank exposures by home region as a grid of coloured cells (lenders' regions in rows,
/// borrowers' in columns; viridis, on a log scale when the sums span more than two orders of
/// magnitude), each with its sum, and each region's share of banks and assets failed beside it.
/// Every cell is named `exposure: A -> B: SUM` for screen readers and tests.
pub fn region_matrix(ui: &mut egui::Ui, chart: &RegionNetworkChart) {
    title(ui, &chart.title, chart.subtitle.as_deref());
    let positive: Vec<f64> = chart
        .exposures
        .iter()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0)
        .collect();
    let lo = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = positive.iter().copied().fold(0.0, f64::max);
    let log = hi > 0.0 && hi / lo > 100.0;
    let level = |v: f64| -> f64 {
        if log {
            let (a, b) = (lo.log10(), hi.log10());
            if b > a {
                (v.log10() - a) / (b - a)
            } else {
                0.5
            }
        } else if hi > 0.0 {
            v / hi
        } else {
            0.5
        }
    };
    egui::ScrollArea::horizontal()
        .id_salt("region-matrix")
        .show(ui, |ui| {
            egui::Grid::new("region-matrix-grid")
                .spacing([2.0, 2.0])
                .show(ui, |ui| {
                    ui.weak("lender \\ borrower");
                    for name in &chart.regions {
                        ui.strong(name);
                    }
                    ui.strong("banks failed");
                    ui.strong("assets failed");
                    ui.end_row();
                    for (a, row) in chart.exposures.iter().enumerate() {
                        ui.strong(&chart.regions[a]);
                        for (b, &v) in row.iter().enumerate() {
                            let (fill, text) = if v > 0.0 {
                                let t = level(v).clamp(0.0, 1.0);
                                let c = viridis(t);
                                let ink = if t > 0.6 {
                                    Color32::BLACK
                                } else {
                                    Color32::WHITE
                                };
                                (
                                    Color32::from_rgb(c.0, c.1, c.2),
                                    egui::RichText::new(reports::output::fmt_num(v)).color(ink),
                                )
                            } else {
                                (Color32::from_gray(40), egui::RichText::new("-").weak())
                            };
                            let what = format!(
                                "exposure: {} -> {}: {}",
                                chart.regions[a],
                                chart.regions[b],
                                if v > 0.0 {
                                    reports::output::fmt_num(v)
                                } else {
                                    "none".into()
                                }
                            );
                            let r = ui
                                .add(
                                    egui::Button::new(text)
                                        .fill(fill)
                                        .min_size(egui::vec2(78.0, 26.0))
                                        .sense(egui::Sense::hover()),
                                )
                                .on_hover_text(format!(
                                    "Banks based in {} lent {} to banks based in {}",
                                    chart.regions[a],
                                    reports::output::fmt_num(v),
                                    chart.regions[b]
                                ));
                            ui.ctx()
                                .accesskit_node_builder(r.id, |n| n.set_label(what.clone()));
                        }
                        for share in [&chart.failed_banks, &chart.failed_assets] {
                            let p = share.get(a).copied().unwrap_or(0.0);
                            let text = format!("{:.0}%", 100.0 * p);
                            if p > 0.0 {
                                ui.colored_label(Color32::from_rgb(230, 80, 70), text);
                            } else {
                                ui.label(text);
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    ui.weak(format!(
        "Cell: what the banks based in the row's region lent to those based in the column's. Colour: {}{} (dark = low, yellow = high). A bank's home region is the one of its largest share of lending; multi-region: banks serving several regions alike. Right: the share of each region's banks, and of its assets, failed.",
        chart.value_label,
        if log { ", log scale" } else { "" },
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Axes always carry several ticks, labels never closer than the gap, steps of 1, 2 or 5.
    #[test]
    fn axes_carry_several_ticks_at_nice_steps() {
        for (bounds, pixels, gap, whole) in [
            ((0.0, 0.00025), 300.0, Y_GAP, false),
            ((-3.2, 17.9), 400.0, Y_GAP, false),
            ((1.0, 12.0), 1000.0, X_GAP, true),
            ((1.0, 12.0), 300.0, X_GAP, true),
            ((0.0, 1.0), 150.0, Y_GAP, false),
            ((1e6, 3.5e6), 250.0, Y_GAP, false),
            ((0.0, 3.0), 200.0, Y_GAP, true),
        ] {
            let marks = nice_marks(bounds, pixels, gap, whole);
            let n = marks.len();
            let fit = (pixels / gap) as usize;
            assert!(
                n <= 8 && n >= fit.min(4) - 1 && n >= 2,
                "{bounds:?} over {pixels}: {n} marks"
            );
            let step = marks[1].value - marks[0].value;
            let px = step / (bounds.1 - bounds.0) * pixels;
            assert!(px >= gap * 0.99, "{bounds:?}: labels {px} points apart");
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 2.5, 3.0, 4.0, 5.0]
                    .iter()
                    .any(|m| (mantissa - m).abs() < 1e-9),
                "{bounds:?}: step {step}"
            );
            if whole {
                assert!(marks.iter().all(|m| m.value.fract() == 0.0));
            }
        }
        // A short axis still gets two marks, never labels on top of each other.
        assert!(nice_marks((0.0, 1.0), 60.0, Y_GAP, false).len() >= 2);
        assert!(nice_marks((0.0, 1.0), 20.0, Y_GAP, false).len() >= 2);
        assert!(nice_marks((1.0, 1.0), 300.0, Y_GAP, false).is_empty());
    }

    #[test]
    fn tick_labels_have_the_decimals_their_step_needs() {
        let l = |value, step_size| tick_label(GridMark { value, step_size });
        assert_eq!(l(7.5, 2.5), "7.5");
        assert_eq!(l(10.0, 2.5), "10.0");
        assert_eq!(l(0.00025, 0.00005), "0.00025");
        assert_eq!(l(4.0, 2.0), "4");
        assert_eq!(l(-0.0, 0.1), "0.0");
        assert_eq!(l(2_000_000.0, 500_000.0), "2000000");
    }

    /// Counts change by steps: each value is held until the next x.
    #[test]
    fn counts_are_drawn_as_steps() {
        let (x, y) = steps(&[1.0, 2.0, 3.0], &[0.0, 2.0, 1.0]);
        assert_eq!(x, vec![1.0, 2.0, 2.0, 3.0, 3.0]);
        assert_eq!(y, vec![0.0, 0.0, 2.0, 2.0, 1.0]);
    }
}
