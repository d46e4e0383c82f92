//! Drill down: one path of the result shown, quarter by quarter, the way Mesa's and NetLogo's
//! views let people watch a model run — the policy rate, credit and rejections, firm defaults and
//! bank failures of the quarter, each region's credit, each bank's capital, SME book, new lending,
//! applications, rejections and losses (and, for a bank clicked, its quarters as a small plot),
//! and the network of exposures with the banks failed so far marked. Everything comes from what
//! the engine returned for the path (`sim::results::PathResult`); nothing is recomputed but sums
//! over the banks based in each region.

use egui::{Color32, RichText};
use egui_plot::{Line, Plot, PlotPoints, Points, VLine};
use reports::output::fmt_num;
use sim::results::{PathResult, QuarterRecord};

use crate::plots;
use crate::worker::RunResult;

/// The quarter measures shown for the quarter chosen, in order, with their words.
pub const QUARTER_ROWS: &[(&str, &str)] = &[
    ("rate", "Policy rate"),
    ("demand", "Credit asked for"),
    ("creditworthy_demand", "Creditworthy demand"),
    ("supply", "Credit granted"),
    ("credit_gap", "Credit gap"),
    ("credit_gap_share", "Credit gap share"),
    ("gap_rejected", "Gap from rejections by every bank asked"),
    ("applicants", "Firms applying"),
    ("rationed", "Firms rejected everywhere (rationed)"),
    ("firm_defaults", "Firm defaults"),
    ("bank_failures", "Bank failures this quarter"),
    ("failed_banks", "Banks failed so far"),
    ("system_car", "System capital ratio"),
    ("loss_credit", "Credit losses"),
    ("loss_bonds", "Bond losses"),
    ("loss_interbank", "Interbank losses"),
    ("loss_fire_sales", "Fire-sale losses"),
    (
        "decision_agreement_excess",
        "Decision agreement above independence",
    ),
    ("systemic_rejection_ratio", "Systemic rejection ratio"),
];

/// Which path, quarter and bank the view shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Index into the result's paths.
    pub path: usize,
    /// Quarter, 1-based.
    pub quarter: u32,
    /// The bank whose quarters are plotted (index in scenario order); `None`: none chosen.
    pub bank: Option<usize>,
    /// The network view shows exposures summed by home region instead of bank by bank.
    pub by_region: bool,
}

/// One bank's credit in one quarter, from the engine's per-bank detail
/// (`sim::results::BankQuarter`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BankCredit {
    /// Equity at the quarter's end, money.
    pub equity: f64,
    /// SME book at the quarter's end, money.
    pub loans: f64,
    /// New SME lending in the quarter, money.
    pub new_lending: f64,
    /// Applications it decided.
    pub applications: u64,
    /// Applications it rejected (`applications - approvals`).
    pub rejections: u64,
}

impl BankCredit {
    /// The bank's figures of `q`.
    pub fn of(q: &sim::results::BankQuarter) -> BankCredit {
        BankCredit {
            equity: q.equity,
            loans: q.loans,
            new_lending: q.new_lending,
            applications: q.applications,
            rejections: q.applications.saturating_sub(q.approvals),
        }
    }

    /// Rejections over applications, or `None` without applications.
    pub fn rejection_rate(&self) -> Option<f64> {
        (self.applications > 0).then(|| self.rejections as f64 / self.applications as f64)
    }
}

/// Bank `i`'s figures in quarter `t` (1-based) of `path` of a scenario of `banks` banks, when the
/// run kept each bank's quarters.
pub fn bank_credit(path: &PathResult, banks: usize, t: u32, i: usize) -> Option<BankCredit> {
    bank_quarter(path, banks, t, i).map(BankCredit::of)
}

/// Bank `i`'s record of quarter `t` (1-based), when the run kept each bank's quarters.
fn bank_quarter(
    path: &PathResult,
    banks: usize,
    t: u32,
    i: usize,
) -> Option<&sim::results::BankQuarter> {
    if i >= banks {
        return None;
    }
    let k = (t as usize)
        .checked_sub(1)?
        .checked_mul(banks)?
        .checked_add(i)?;
    path.bank_quarters.get(k)
}

/// A rate as a percentage with one decimal, `-` when there is none.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_string(), |r| format!("{:.1}%", 100.0 * r))
}

fn unit(unit: &str, r: &RunResult) -> String {
    if unit == "money" && !r.scenario.currency.trim().is_empty() {
        r.scenario.currency.clone()
    } else {
        unit.to_string()
    }
}

fn value_of(q: &QuarterRecord, key: &str) -> f64 {
    q.get(key).unwrap_or(f64::NAN)
}

/// The index of the path with the largest total credit gap (the worst case to look at first).
pub fn worst_path(paths: &[PathResult]) -> usize {
    paths
        .iter()
        .enumerate()
        .max_by(|a, b| {
            let g = |p: &PathResult| p.quarters.iter().map(|q| q.credit_gap).sum::<f64>();
            g(a.1).total_cmp(&g(b.1))
        })
        .map_or(0, |(i, _)| i)
}

/// Draws the view for `r` at `cursor` (changed by the controls).
pub fn view(
    ui: &mut egui::Ui,
    r: &RunResult,
    network: Option<&reports::charts::NetworkChart>,
    cursor: &mut Cursor,
) {
    let n = r.finished.paths.len();
    if n == 0 {
        ui.weak("The result has no paths.");
        return;
    }
    cursor.path = cursor.path.min(n - 1);
    let quarters = r.finished.paths[cursor.path].quarters.len() as u32;
    cursor.quarter = cursor.quarter.clamp(1, quarters.max(1));
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Path");
        let mut p = cursor.path;
        ui.add(egui::DragValue::new(&mut p).range(0..=n - 1))
            .labelled_by(l.id)
            .on_hover_text("The path's index (its own key of random draws)");
        cursor.path = p;
        if ui
            .button("Worst credit gap")
            .on_hover_text("The path with the largest credit gap summed over quarters")
            .clicked()
        {
            cursor.path = worst_path(&r.finished.paths);
        }
        ui.separator();
        if ui
            .add_enabled(cursor.quarter > 1, egui::Button::new("Previous quarter"))
            .clicked()
        {
            cursor.quarter -= 1;
        }
        let l = ui.label("Quarter");
        let mut q = cursor.quarter;
        ui.add(egui::Slider::new(&mut q, 1..=quarters.max(1)))
            .labelled_by(l.id);
        cursor.quarter = q;
        if ui
            .add_enabled(cursor.quarter < quarters, egui::Button::new("Next quarter"))
            .clicked()
        {
            cursor.quarter += 1;
        }
    });
    let path = &r.finished.paths[cursor.path];
    let t = cursor.quarter;
    let Some(q) = path.quarters.get(t as usize - 1) else {
        ui.weak("This path has no such quarter.");
        return;
    };
    ui.heading(format!(
        "Path {} (of {n}), quarter {t} of {quarters}",
        path.path
    ));
    ui.columns(2, |cols| {
        quarter_table(&mut cols[0], r, q);
        path_chart(&mut cols[1], path, t);
    });
    ui.separator();
    region_table(ui, r, path, t);
    ui.separator();
    bank_table(ui, r, path, t, &mut cursor.bank);
    if let Some(i) = cursor.bank {
        bank_series(ui, r, path, t, i);
    }
    if let Some(net) = network {
        ui.separator();
        network_view(ui, r, net, path, t, &mut cursor.by_region);
    }
}

fn quarter_table(ui: &mut egui::Ui, r: &RunResult, q: &QuarterRecord) {
    ui.strong("The quarter");
    egui::Grid::new("drill-quarter")
        .striped(true)
        .show(ui, |ui| {
            for (key, words) in QUARTER_ROWS {
                let Some(info) = QuarterRecord::MEASURES.iter().find(|m| m.name == *key) else {
                    continue;
                };
                ui.label(*words)
                    .on_hover_text(format!("{}\nkey: {key}", info.doc));
                let v = value_of(q, key);
                let text = if matches!(info.unit, "firms" | "banks") {
                    format!("{v:.0}")
                } else {
                    fmt_num(v)
                };
                ui.label(RichText::new(text).strong());
                ui.weak(unit(info.unit, r));
                ui.end_row();
            }
        });
}

/// A series of the path chart: its axis label, id, and value of a quarter.
type Series = (&'static str, &'static str, fn(&QuarterRecord) -> f64);

fn path_chart(ui: &mut egui::Ui, path: &PathResult, t: u32) {
    ui.strong("This path, every quarter (the line marks the quarter shown)");
    let series: [Series; 3] = [
        ("Rate (%)", "rate", |q| q.rate),
        ("Gap (%)", "gap", |q| 100.0 * q.credit_gap_share),
        ("Failed banks", "failed", |q| q.failed_banks),
    ];
    for (i, (label, id, f)) in series.into_iter().enumerate() {
        let pts: Vec<[f64; 2]> = path.quarters.iter().map(|q| [q.quarter, f(q)]).collect();
        let mut plot = Plot::new(("drill-series", id));
        if id == "failed" {
            // A count: from 0, on whole numbers, even while no bank has failed.
            plot = plot.include_y(0.0).include_y(1.0);
        }
        let r = plot
            .height(110.0)
            .allow_scroll(false)
            .show_x(true)
            .x_grid_spacer(|g| plots::nice_marks(g.bounds, 400.0, 50.0, true))
            .y_grid_spacer(move |g| plots::nice_marks(g.bounds, 110.0, 28.0, id == "failed"))
            .x_axis_formatter(|m, _| plots::tick_label(m))
            .y_axis_formatter(|m, _| plots::tick_label(m))
            .y_axis_label(label)
            .y_axis_min_width(48.0)
            .show(ui, |plot| {
                let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().map(|p| (p[0], p[1])).unzip();
                let (xs, ys) = if id == "failed" {
                    plots::steps(&xs, &ys)
                } else {
                    (xs, ys)
                };
                let line: PlotPoints = xs.iter().zip(&ys).map(|(&x, &y)| [x, y]).collect();
                // Steps repeat x values: drawn as a line, never aggregated into a band.
                plot.line(
                    Line::new(label, line)
                        .color(plots::colour(i))
                        .width(2.0)
                        .allow_band(false),
                );
                plot.vline(VLine::new("quarter shown", f64::from(t)).color(Color32::GRAY));
                if let Some(p) = pts.get(t as usize - 1) {
                    plot.points(
                        Points::new(label, vec![*p])
                            .radius(4.0)
                            .color(plots::colour(i)),
                    );
                }
            });
        plots::name_plot(ui, &r.response, &format!("path {label}"));
    }
}

/// Whether `path` holds each bank's quarters up to quarter `t`.
fn has_detail(r: &RunResult, path: &PathResult, t: u32) -> bool {
    let nb = r.scenario.banks.len();
    nb > 0 && path.bank_quarters.len() >= nb * t as usize
}

/// Per home region (the groups of [`reports::charts::RegionGroups`]), the sum of its banks'
/// figures in quarter `t`: new lending, applications and rejections.
pub fn region_credit(r: &RunResult, path: &PathResult, t: u32) -> Vec<(String, f64, u64, u64)> {
    let groups = reports::charts::RegionGroups::of(&r.scenario);
    let nb = r.scenario.banks.len();
    let mut out: Vec<(String, f64, u64, u64)> = groups
        .names
        .iter()
        .map(|n| (n.clone(), 0.0, 0, 0))
        .collect();
    for (i, g) in groups.of_bank.iter().enumerate() {
        if let (Some(c), Some(row)) = (bank_credit(path, nb, t, i), out.get_mut(*g)) {
            row.1 += c.new_lending;
            row.2 += c.applications;
            row.3 += c.rejections;
        }
    }
    out
}

fn region_table(ui: &mut egui::Ui, r: &RunResult, path: &PathResult, t: u32) {
    ui.strong("Regions this quarter");
    let n = r.scenario.regions.len();
    let money = unit("money", r);
    let detail = has_detail(r, path, t);
    let by_home = if detail {
        region_credit(r, path, t)
    } else {
        Vec::new()
    };
    let home_of = |name: &str| by_home.iter().find(|(g, ..)| g == name);
    let credit_cells = |ui: &mut egui::Ui, row: Option<&(String, f64, u64, u64)>| match row {
        Some((_, lending, apps, rejected)) => {
            ui.label(format!("{} {money}", fmt_num(*lending)));
            ui.label(rejected.to_string());
            let rate = (*apps > 0).then(|| *rejected as f64 / *apps as f64);
            ui.label(percent(rate));
        }
        None => {
            for _ in 0..3 {
                ui.weak("-");
            }
        }
    };
    egui::Grid::new("drill-regions")
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "region",
                "creditworthy demand",
                "credit granted",
                "credit gap",
                "gap share",
            ] {
                ui.strong(h);
            }
            if detail {
                let why = "Summed over the banks based in the region: a bank's home region is the one of its largest lending share (wherever it lends); banks serving several regions alike are summed apart";
                ui.strong("new lending of banks based here")
                    .on_hover_text(why);
                ui.strong("their rejections").on_hover_text(why);
                ui.strong("their rejection rate").on_hover_text(why);
            }
            ui.end_row();
            for (i, region) in r.scenario.regions.iter().enumerate() {
                let Some(x) = path.region(t, i, n) else {
                    continue;
                };
                ui.label(&region.name);
                ui.label(format!("{} {money}", fmt_num(x.creditworthy_demand)));
                ui.label(format!("{} {money}", fmt_num(x.supply)));
                ui.label(format!("{} {money}", fmt_num(x.credit_gap)));
                let share = if x.creditworthy_demand > 0.0 {
                    100.0 * x.credit_gap / x.creditworthy_demand
                } else {
                    0.0
                };
                ui.label(format!("{share:.1}%"));
                if detail {
                    credit_cells(ui, home_of(&region.name));
                }
                ui.end_row();
            }
            if let Some(row) = home_of(reports::charts::MULTI_REGION) {
                ui.label("multi-region banks").on_hover_text(
                    "Banks whose largest lending share is shared by two or more regions",
                );
                for _ in 0..4 {
                    ui.weak("-");
                }
                credit_cells(ui, Some(row));
                ui.end_row();
            }
        });
}

fn bank_table(
    ui: &mut egui::Ui,
    r: &RunResult,
    path: &PathResult,
    t: u32,
    chosen: &mut Option<usize>,
) {
    ui.strong("Banks this quarter (click a bank to plot its quarters)");
    let nb = r.scenario.banks.len();
    let detail = has_detail(r, path, t);
    if !detail {
        ui.weak("Capital, lending, rejections, income and losses per quarter need \"Record each bank's quarters\" (Run settings) on; shown: each bank's fate over the whole path.");
    }
    let money = unit("money", r);
    egui::ScrollArea::vertical()
        .id_salt("drill-banks")
        .max_height(320.0)
        .show(ui, |ui| {
            egui::Grid::new("drill-bank-grid")
                .striped(true)
                .show(ui, |ui| {
                    let heads: &[(&str, &str)] = if detail {
                        &[
                            ("bank", "The bank's id"),
                            ("capital (equity)", "Equity at the quarter's end"),
                            ("SME book", "Its SME loans outstanding at the quarter's end"),
                            ("new lending", "New SME loans it funded in the quarter"),
                            (
                                "applications",
                                "Applications it decided in the quarter (every firm that asked it)",
                            ),
                            (
                                "rejections",
                                "Applications it rejected (applications minus approvals)",
                            ),
                            ("rejection rate", "Rejections over applications"),
                            ("income", "Net interest income of the quarter"),
                            ("credit losses", "Credit losses of the quarter"),
                            (
                                "other losses",
                                "Bond, interbank, fire-sale and shock losses of the quarter",
                            ),
                            (
                                "failed",
                                "The quarter it failed in, if it failed by this quarter",
                            ),
                        ]
                    } else {
                        &[
                            ("bank", "The bank's id"),
                            ("equity at start", "Equity at the start of the path"),
                            ("equity at the end", "Equity at the end of the path"),
                            ("credit losses", "Credit losses over the path"),
                            (
                                "failed",
                                "The quarter it failed in, if it failed by this quarter",
                            ),
                        ]
                    };
                    for (h, help) in heads {
                        ui.strong(*h).on_hover_text(*help);
                    }
                    ui.end_row();
                    for (i, b) in r.scenario.banks.iter().enumerate() {
                        let outcome = path.banks.get(i);
                        let failed = outcome.and_then(|o| o.failed_quarter);
                        let status = match failed {
                            Some(f) if f <= t => RichText::new(format!("in quarter {f}"))
                                .color(Color32::from_rgb(230, 80, 70)),
                            Some(f) => RichText::new(format!("not yet (in quarter {f})")),
                            None => RichText::new("no"),
                        };
                        let picked = *chosen == Some(i);
                        let row = ui.selectable_label(picked, &b.id).on_hover_text(
                            "Plot this bank's lending and rejections over the quarters",
                        );
                        if row.clicked() {
                            *chosen = if picked { None } else { Some(i) };
                        }
                        match bank_quarter(path, nb, t, i).filter(|_| detail) {
                            Some(q) => {
                                let c = BankCredit::of(q);
                                ui.label(format!("{} {money}", fmt_num(c.equity)));
                                ui.label(format!("{} {money}", fmt_num(c.loans)));
                                ui.label(format!("{} {money}", fmt_num(c.new_lending)));
                                ui.label(c.applications.to_string());
                                ui.label(c.rejections.to_string());
                                ui.label(percent(c.rejection_rate()));
                                ui.label(fmt_num(q.income));
                                ui.label(fmt_num(q.loss_credit));
                                ui.label(fmt_num(
                                    q.loss_bonds
                                        + q.loss_interbank
                                        + q.loss_fire_sales
                                        + q.loss_shock,
                                ));
                            }
                            None => {
                                ui.label(format!("{} {money}", fmt_num(b.equity)));
                                ui.label(fmt_num(outcome.map_or(f64::NAN, |o| o.final_equity)));
                                ui.label(fmt_num(outcome.map_or(f64::NAN, |o| o.loss_credit)));
                            }
                        }
                        ui.label(status);
                        ui.end_row();
                    }
                });
        });
}

/// A series of a bank's plot: its name and value of a quarter.
type BankSeries = (&'static str, fn(&BankCredit) -> f64);

/// A panel of a bank's plot: its id, y axis label, whether it shows counts, and two series.
type BankPanel = (&'static str, String, bool, [BankSeries; 2]);

/// Bank `i` over every quarter of `path`: its SME book and new lending (money), and its
/// applications and rejections (counts, as steps), with quarter `t` marked.
fn bank_series(ui: &mut egui::Ui, r: &RunResult, path: &PathResult, t: u32, i: usize) {
    let nb = r.scenario.banks.len();
    let Some(bank) = r.scenario.banks.get(i) else {
        return;
    };
    let rows: Vec<(f64, BankCredit)> = (1..=path.quarters.len() as u32)
        .filter_map(|q| bank_credit(path, nb, q, i).map(|c| (f64::from(q), c)))
        .collect();
    ui.strong(format!(
        "Bank {} on this path, every quarter (the line marks the quarter shown)",
        bank.id
    ));
    if rows.is_empty() {
        ui.weak("Its quarters were not recorded: run with \"Record each bank's quarters\" (Run settings) on.");
        return;
    }
    let money = unit("money", r);
    let xs: Vec<f64> = rows.iter().map(|(q, _)| *q).collect();
    let panels: [BankPanel; 2] = [
        (
            "lending",
            format!("Lending ({money})"),
            false,
            [
                ("SME book", |c| c.loans),
                ("new lending", |c| c.new_lending),
            ],
        ),
        (
            "decisions",
            "Applications (firms)".to_string(),
            true,
            [
                ("applications", |c| c.applications as f64),
                ("rejections", |c| c.rejections as f64),
            ],
        ),
    ];
    ui.columns(2, |cols| {
        for (k, (col, (id, y_label, counts, series))) in cols.iter_mut().zip(panels).enumerate() {
            let keys: Vec<plots::Key> = series
                .iter()
                .enumerate()
                .map(|(j, (name, _))| plots::Key::line(*name, plots::colour(2 * k + j)))
                .collect();
            let hidden = plots::legend(col, &format!("drill-bank-{id}"), &keys);
            let resp = Plot::new(("drill-bank", id))
                .height(150.0)
                .allow_scroll(false)
                .include_y(0.0)
                .x_grid_spacer(|g| plots::nice_marks(g.bounds, 300.0, 50.0, true))
                .y_grid_spacer(move |g| plots::nice_marks(g.bounds, 150.0, 28.0, counts))
                .x_axis_formatter(|m, _| plots::tick_label(m))
                .y_axis_formatter(|m, _| plots::tick_label(m))
                .x_axis_label("Quarter")
                .y_axis_label(y_label.clone())
                .y_axis_min_width(48.0)
                .show(col, |plot| {
                    for (j, (name, pick)) in series.iter().enumerate() {
                        if hidden.contains(*name) {
                            continue;
                        }
                        let ys: Vec<f64> = rows.iter().map(|(_, c)| pick(c)).collect();
                        let (sx, sy) = if counts {
                            plots::steps(&xs, &ys)
                        } else {
                            (xs.clone(), ys.clone())
                        };
                        let line: PlotPoints = sx.iter().zip(&sy).map(|(&x, &y)| [x, y]).collect();
                        let c = plots::colour(2 * k + j);
                        plot.line(Line::new(*name, line).color(c).width(2.0).allow_band(false));
                        if let Some(p) = rows.iter().position(|(q, _)| *q == f64::from(t)) {
                            plot.points(
                                Points::new(*name, vec![[xs[p], ys[p]]])
                                    .radius(4.0)
                                    .color(c),
                            );
                        }
                    }
                    plot.vline(VLine::new("quarter shown", f64::from(t)).color(Color32::GRAY));
                });
            plots::name_plot(col, &resp.response, &format!("bank {id}"));
        }
    });
}

/// Per bank in scenario order, 1 when it failed on `path` by quarter `t`, else 0.
pub fn failed_by(r: &RunResult, path: &PathResult, t: u32) -> Vec<f64> {
    (0..r.scenario.banks.len())
        .map(|i| {
            let down = path
                .banks
                .get(i)
                .and_then(|o| o.failed_quarter)
                .is_some_and(|f| f <= t);
            if down { 1.0 } else { 0.0 }
        })
        .collect()
}

fn network_view(
    ui: &mut egui::Ui,
    r: &RunResult,
    chart: &reports::charts::NetworkChart,
    path: &PathResult,
    t: u32,
    by_region: &mut bool,
) {
    let groups = reports::charts::RegionGroups::of(&r.scenario);
    ui.horizontal(|ui| {
        ui.strong("The network of exposures");
        if groups.len() > 1 {
            ui.checkbox(by_region, "by region").on_hover_text(
                "Exposures summed over the banks' home regions (the region of a bank's largest lending share), with each region's share of banks and assets failed by this quarter",
            );
        } else {
            ui.weak("(every bank is based in one region: nothing to sum by region)");
        }
    });
    if *by_region && groups.len() > 1 {
        let failed = failed_by(r, path, t);
        match reports::charts::network_by_region(
            &r.scenario,
            chart,
            &failed,
            &reports::charts::Labels::from_scenario(&r.scenario),
        ) {
            Ok(m) => plots::region_matrix(ui, &m),
            Err(e) => {
                ui.colored_label(Color32::from_rgb(230, 80, 70), e.to_string());
            }
        }
        return;
    }
    ui.weak("Banks failed by this quarter in red.");
    let failed: Vec<bool> = chart
        .nodes
        .iter()
        .map(|node| {
            r.scenario
                .banks
                .iter()
                .position(|b| b.id == node.id)
                .and_then(|i| path.banks.get(i))
                .and_then(|o| o.failed_quarter)
                .is_some_and(|f| f <= t)
        })
        .collect();
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
    let r_max = (200.0 / chart.nodes.len().max(1) as f32).clamp(2.0, 14.0);
    let resp = Plot::new("drill-network")
        .height(320.0)
        .data_aspect(1.0)
        .show_axes(false)
        .show_grid(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            for e in chart.drawn_edges() {
                let (Some(a), Some(b)) = (pos.get(e.lender), pos.get(e.borrower)) else {
                    continue;
                };
                let hit = failed.get(e.borrower).copied().unwrap_or(false);
                let c = if hit {
                    Color32::from_rgb(230, 80, 70).gamma_multiply(0.7)
                } else {
                    Color32::from_gray(150).gamma_multiply(0.5)
                };
                plot.line(
                    Line::new("exposures", vec![[a.0, a.1], [b.0, b.1]])
                        .color(c)
                        .width(0.3 + 2.5 * (e.exposure / max_exp) as f32)
                        .allow_hover(false),
                );
            }
            for (i, node) in chart.nodes.iter().enumerate() {
                let Some(p) = pos.get(i) else { continue };
                let down = failed.get(i).copied().unwrap_or(false);
                let c = if down {
                    Color32::from_rgb(230, 80, 70)
                } else {
                    Color32::from_rgb(86, 180, 233)
                };
                plot.points(
                    Points::new(
                        format!(
                            "{}: assets {}, {}",
                            node.id,
                            fmt_num(node.assets),
                            if down { "failed" } else { "active" }
                        ),
                        vec![[p.0, p.1]],
                    )
                    .color(c)
                    .radius(1.5 + r_max * (node.assets / max_assets).sqrt() as f32)
                    .filled(true),
                );
            }
        });
    plots::name_plot(ui, &resp.response, "drill network");
    let resampled = r
        .scenario
        .contagion
        .interbank
        .as_ref()
        .is_some_and(|ib| ib.resample_per_path);
    if resampled {
        ui.weak("The network is drawn afresh on every path; path 0's is shown, with this path's failures.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quarter_row_names_a_measure_of_the_engine() {
        for (key, words) in QUARTER_ROWS {
            assert!(
                QuarterRecord::MEASURES.iter().any(|m| m.name == *key),
                "{key} ({words})"
            );
        }
    }
}
