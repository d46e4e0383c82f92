//! Drawing: the top bar (views, run settings, progress), the four views and the status bar. Every
//! action becomes a [`Command`] handled in [`App::handle`].

use std::path::PathBuf;

use egui::{Color32, RichText};
use reports::output::{HEADLINE, fmt_num, headline};

use crate::editor::{Document, Field, Group};
use crate::{App, Chart, ChartFormat, Command, View, plots, words};

const RED: Color32 = Color32::from_rgb(230, 80, 70);
const ORANGE: Color32 = Color32::from_rgb(230, 160, 40);

/// Draws the app.
pub fn draw(app: &mut App, ui: &mut egui::Ui) {
    egui::Panel::top("top").show(ui, |ui| top_bar(app, ui));
    egui::Panel::bottom("status").show(ui, |ui| status_bar(app, ui));
    match app.state.view {
        View::Scenario => {
            egui::Panel::left("files")
                .resizable(true)
                .default_size(250.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| files_panel(app, ui));
                });
            egui::CentralPanel::default().show(ui, |ui| editor(app, ui));
        }
        View::Results => {
            egui::Panel::left("result-files")
                .resizable(true)
                .default_size(250.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| results_panel(app, ui));
                });
            egui::CentralPanel::default().show(ui, |ui| results(app, ui));
        }
        View::Drill => {
            egui::CentralPanel::default().show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("drill")
                    .show(ui, |ui| drill(app, ui));
            });
        }
        View::Compare => {
            egui::CentralPanel::default().show(ui, |ui| compare(app, ui));
        }
        View::Sweep => {
            egui::CentralPanel::default().show(ui, |ui| sweep(app, ui));
        }
        View::Monitor => {
            egui::CentralPanel::default().show(ui, |ui| monitor_view(app, ui));
        }
    }
    unsaved_modal(app, ui);
}

fn top_bar(app: &mut App, ui: &mut egui::Ui) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading("herdlab");
        ui.separator();
        for (v, name) in [
            (View::Scenario, "Scenario"),
            (View::Results, "Results"),
            (View::Drill, "Drill down"),
            (View::Compare, "Compare"),
            (View::Sweep, "Sweep"),
            (View::Monitor, "Monitor"),
        ] {
            ui.selectable_value(&mut app.state.view, v, RichText::new(name).size(15.0));
        }
        ui.separator();
        let title = app
            .doc
            .as_ref()
            .map(|d| {
                format!(
                    "{}{}",
                    d.source.label(),
                    if d.dirty { " (unsaved changes)" } else { "" }
                )
            })
            .unwrap_or_else(|| "no scenario open".into());
        ui.label(RichText::new(title).weak());
    });
    let scenario_value = |key: &str| -> String {
        app.doc
            .as_ref()
            .and_then(|d| d.plain(key))
            .map(|v| v.to_string())
            .or_else(|| {
                crate::names::param(key)
                    .and_then(|p| p.default)
                    .map(|d| d.to_string())
            })
            .unwrap_or_default()
    };
    let (sp, ss) = (
        scenario_value(crate::names::param::RUN_PATHS),
        scenario_value(crate::names::param::RUN_SEED),
    );
    ui.horizontal(|ui| {
        let l = ui.label("Paths");
        ui.add(
            egui::TextEdit::singleline(&mut app.state.paths)
                .desired_width(70.0)
                .hint_text(sp.clone()),
        )
        .labelled_by(l.id)
        .on_hover_text(format!(
            "Monte Carlo paths of the next run; empty: the scenario's run.paths ({sp}). A few hundred give usable intervals."
        ));
        let typed = app.state.paths.trim();
        let used = if typed.is_empty() || typed == sp {
            RichText::new(format!("the file's ({sp})")).weak()
        } else {
            RichText::new(format!("overrides the file's {sp}"))
                .color(Color32::from_rgb(230, 160, 40))
        };
        ui.label(used).on_hover_text(
            "Which number of paths the next run uses: the top bar's, when typed, over the scenario file's run.paths",
        );
        let l = ui.label("Seed");
        ui.add(
            egui::TextEdit::singleline(&mut app.state.seed)
                .desired_width(90.0)
                .hint_text(ss.clone()),
        )
        .labelled_by(l.id)
        .on_hover_text(format!(
            "Seed of every random draw; empty: the scenario's run.seed ({ss}). The same seed gives the same numbers."
        ));
        let typed = app.state.seed.trim();
        if !typed.is_empty() && typed != ss {
            ui.label(
                RichText::new(format!("overrides the file's {ss}"))
                    .color(Color32::from_rgb(230, 160, 40)),
            );
        }
        let busy = app.busy();
        let valid = app.doc.as_ref().is_some_and(Document::is_valid);
        let run = ui
            .add_enabled(
                !busy && valid,
                egui::Button::new(RichText::new("Run").strong()),
            )
            .on_hover_text("Run the scenario being edited")
            .on_disabled_hover_text(if busy {
                "a job is running"
            } else {
                "fix the scenario's problems first (see the Scenario view)"
            });
        if run.clicked() {
            app.command(Command::Run);
        }
        if ui
            .add_enabled(busy, egui::Button::new("Cancel"))
            .on_hover_text("Stop the running job; nothing is kept")
            .clicked()
        {
            app.command(Command::Cancel);
        }
        let blocks = app.partial.is_some() || app.compare_partial.is_some();
        if ui
            .add_enabled(busy && blocks, egui::Button::new("Stop, keep finished"))
            .on_hover_text(
                "Stop the run and keep the paths finished so far as a run of that many paths (interim); a comparison keeps its finished reference",
            )
            .on_disabled_hover_text(
                "available once a block of paths of a run has finished (runs of 40 paths or more go in blocks)",
            )
            .clicked()
        {
            app.command(Command::StopKeep);
        }
        if let Some(w) = app.worker.as_ref().filter(|w| w.indeterminate) {
            ui.spinner();
            ui.label(RichText::new(&w.label).weak());
        } else if let Some(w) = &app.worker {
            let (frac, left) = w.progress();
            let text = match left {
                Some(s) => format!("{:.0}% - about {} left", 100.0 * frac, seconds(s)),
                None => format!("{:.0}%", 100.0 * frac),
            };
            ui.add(
                egui::ProgressBar::new(frac)
                    .desired_width(260.0)
                    .text(text)
                    .animate(true),
            );
            ui.label(RichText::new(&w.label).weak());
        }
    });
    ui.add_space(2.0);
}

/// Gives a widget an accessible name (screen readers, and the tests, find it by it).
fn name(ui: &egui::Ui, r: &egui::Response, label: &str) {
    ui.ctx()
        .accesskit_node_builder(r.id, |n| n.set_label(label.to_string()));
}

fn seconds(s: f64) -> String {
    if s < 90.0 {
        format!("{s:.0} s")
    } else {
        format!("{:.0} min", s / 60.0)
    }
}

fn status_bar(app: &mut App, ui: &mut egui::Ui) {
    ui.horizontal(|ui| match &app.status {
        Some(s) if s.error => {
            ui.label(RichText::new(&s.text).color(RED));
        }
        Some(s) => {
            ui.label(&s.text);
        }
        None => {
            ui.weak("Open a scenario, set paths and seed, then Run.");
        }
    });
}

fn unsaved_modal(app: &mut App, ui: &mut egui::Ui) {
    if app.pending.is_none() {
        return;
    }
    let ctx = ui.ctx().clone();
    egui::Modal::new(egui::Id::unique("unsaved")).show(&ctx, |ui| {
        ui.heading("Unsaved changes");
        ui.label("The scenario has changes that are not saved. Discard them?");
        ui.horizontal(|ui| {
            if ui.button("Discard changes").clicked() {
                app.command(Command::Discard);
            }
            if ui.button("Keep editing").clicked() {
                app.command(Command::KeepEditing);
            }
        });
    });
}

fn files_panel(app: &mut App, ui: &mut egui::Ui) {
    ui.heading("Open");
    ui.label("Bundled scenarios:");
    for b in reports::bundled::SCENARIOS {
        if ui.button(b.name).on_hover_text(b.description()).clicked() {
            app.command(Command::OpenScenario(b.name.to_string()));
        }
    }
    ui.add_space(6.0);
    let l = ui.label("Scenario file");
    ui.add(egui::TextEdit::singleline(&mut app.state.open_path).hint_text("path/to/scenario.toml"))
        .labelled_by(l.id);
    ui.horizontal(|ui| {
        if ui.button("Open file").clicked() {
            let p = app.state.open_path.trim().to_string();
            app.command(Command::OpenScenario(p));
        }
        if ui
            .button("Browse...")
            .on_hover_text("Choose a scenario file in a dialog (or drop one on the window)")
            .clicked()
        {
            app.command(Command::Browse(crate::files::Purpose::OpenScenario));
        }
    });
    if !app.state.recent_files.is_empty() {
        ui.add_space(6.0);
        ui.label("Recent files:");
        for f in app.state.recent_files.clone() {
            if ui.link(&f).clicked() {
                app.command(Command::OpenScenario(f));
            }
        }
    }
    ui.separator();
    ui.heading("Save");
    let can_save = app
        .doc
        .as_ref()
        .is_some_and(|d| d.source.file.is_some() && d.dirty);
    if ui
        .add_enabled(can_save, egui::Button::new("Save"))
        .on_disabled_hover_text("nothing to save, or a bundled scenario: use Save as")
        .clicked()
    {
        app.command(Command::Save);
    }
    let l = ui.label("Save as (TOML file)");
    ui.add(egui::TextEdit::singleline(&mut app.state.save_path).hint_text("my-scenario.toml"))
        .labelled_by(l.id);
    let r = ui
        .button("Save as...")
        .on_hover_text("Choose where to save in a dialog");
    name(ui, &r, "Save as (dialog)");
    if r.clicked() {
        app.command(Command::Browse(crate::files::Purpose::SaveScenario));
    }
    if ui.button("Save as").clicked() {
        let p = app.state.save_path.trim();
        if p.is_empty() {
            app.status = Some(crate::Status {
                text: "type a file name to save as".into(),
                error: true,
            });
        } else {
            app.command(Command::SaveAs(PathBuf::from(p)));
        }
    }
    ui.weak("Saved files run unchanged with `herdlab run FILE`.");
}

fn field_row(ui: &mut egui::Ui, doc: &mut Document, f: &Field) {
    let p = f.param;
    let label = words::field(f);
    let mut tip = format!(
        "{}\n\nunit: {}\nallowed: {}",
        p.doc,
        p.unit,
        words::range(p)
    );
    match p.default {
        Some(d) => tip.push_str(&format!(
            "\ndefault: {} (leave empty to use it)",
            words::num(d)
        )),
        None => tip.push_str("\nrequired"),
    }
    if !p.symbol.is_empty() {
        tip.push_str(&format!("\nsymbol in docs/model.md: {}", p.symbol));
    }
    tip.push_str(&format!("\nkey in the scenario file: {}", f.key));
    ui.label(&label).on_hover_text(&tip);
    let mut text = doc.text(f);
    let inherited = doc.inherited(f);
    let hint = match inherited {
        Some(d) => words::num(d),
        None if !p.path.contains(['[', '*']) => "derived".into(),
        None => String::new(),
    };
    if inherited != p.default
        && let Some(x) = inherited
    {
        tip.push_str(&format!(
            "\nempty here means {x}, inherited from the bank defaults"
        ));
    }
    let error = doc.errors.get(&f.key).cloned();
    let mut edit = egui::TextEdit::singleline(&mut text)
        .desired_width(110.0)
        .hint_text(hint);
    if error.is_some() {
        edit = edit.text_color(RED);
    }
    let r = ui.add_sized([110.0, 20.0], edit).on_hover_text(&tip);
    // The accessible name is the key (unique, and what tests and scripts find it by); the
    // description is the label shown.
    let key = f.key.clone();
    ui.ctx().accesskit_node_builder(r.id, |n| {
        n.set_label(key.clone());
        n.set_description(label.clone());
    });
    if r.changed() {
        doc.edit(&f.key, text);
    }
    ui.label(RichText::new(doc.unit(f)).weak());
    match doc.errors.get(&f.key) {
        Some(e) => {
            ui.label(RichText::new(e.as_str()).color(RED));
        }
        None => {
            // The engine's whole-scenario check names the field it objects to: show it here too.
            let engine = doc.validity.as_ref().err().and_then(|e| {
                e.lines()
                    .map(str::trim)
                    .find(|l| {
                        l.starts_with(&format!("{} =", f.key))
                            || l.starts_with(&format!("{}:", f.key))
                    })
                    .map(String::from)
            });
            match engine {
                Some(line) => {
                    ui.label(RichText::new(line).color(RED));
                }
                None => {
                    ui.label(RichText::new(p.help()).weak()).on_hover_text(&tip);
                }
            }
        }
    }
    ui.end_row();
}

/// Switches and kinds that are not numbers, shown at the top of their panel.
const SWITCHES: &[(&str, Group, &[&str])] = &[
    ("run.bank_detail", Group::Run, &[]),
    (
        "rates.shock.kind",
        Group::Rates,
        &["none", "step", "ramp", "path"],
    ),
    ("contagion.interbank.enabled", Group::Contagion, &[]),
    ("contagion.fire_sales.enabled", Group::Contagion, &[]),
    ("policy.diversity_cap.enabled", Group::Policy, &[]),
    ("policy.herding_alarm.enabled", Group::Policy, &[]),
    ("policy.human_review.enabled", Group::Policy, &[]),
];

fn switches(ui: &mut egui::Ui, doc: &mut Document, group: Group) {
    for (path, g, kinds) in SWITCHES {
        if *g != group {
            continue;
        }
        if kinds.is_empty() {
            let mut on = doc
                .plain(path)
                .and_then(toml::Value::as_bool)
                .unwrap_or(false);
            let (label, help) = words::switch(path);
            let r = ui
                .checkbox(&mut on, label)
                .on_hover_text(format!("{help}\nkey in the scenario file: {path}"));
            if r.changed() {
                doc.set_plain(path, Some(toml::Value::Boolean(on)));
            }
        } else {
            let current = doc
                .plain(path)
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_else(|| "none".into());
            ui.horizontal(|ui| {
                let (label, help) = words::switch(path);
                ui.label(label)
                    .on_hover_text(format!("{help}\nkey in the scenario file: {path}"));
                for k in *kinds {
                    if ui.selectable_label(current == *k, *k).clicked() && current != *k {
                        doc.set_plain(path, Some(toml::Value::String((*k).into())));
                    }
                }
            });
        }
    }
    if group == Group::Run {
        for key in ["name", "description", "currency"] {
            let mut text = doc
                .plain(key)
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            ui.horizontal(|ui| {
                let (label, help) = words::switch(key);
                let l = ui
                    .label(label)
                    .on_hover_text(format!("{help}\nkey in the scenario file: {key}"));
                let r = ui
                    .add(egui::TextEdit::singleline(&mut text).desired_width(500.0))
                    .labelled_by(l.id);
                if r.changed() {
                    doc.set_plain(key, Some(toml::Value::String(text.clone())));
                }
            });
        }
    }
}

/// Every other name, kind and switch the file sets in this panel's tables (a bank's model family,
/// the clearing method, the alarm's measure...), editable in place.
fn names_and_kinds(ui: &mut egui::Ui, doc: &mut Document, group: Group) {
    let shown: Vec<&str> = SWITCHES.iter().map(|s| s.0).collect();
    let leaves: Vec<_> = doc
        .leaves(group)
        .into_iter()
        .filter(|l| !shown.contains(&l.key.as_str()))
        .collect();
    if leaves.is_empty() {
        return;
    }
    let families = doc.families();
    egui::CollapsingHeader::new(RichText::new("Names, kinds and switches").strong())
        .id_salt(("leaves", group.title()))
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new(("leaf-grid", group.title()))
                .striped(true)
                .show(ui, |ui| {
                    for leaf in leaves {
                        let l = ui
                            .label(words::leaf(&leaf.key))
                            .on_hover_text(format!("key in the scenario file: {}", leaf.key));
                        match &leaf.value {
                            toml::Value::String(t) if words::names_a_family(&leaf.key) => {
                                let mut chosen = t.clone();
                                let combo = egui::ComboBox::from_id_salt(("family", &leaf.key))
                                    .selected_text(chosen.clone())
                                    .width(200.0)
                                    .show_ui(ui, |ui| {
                                        for f in &families {
                                            ui.selectable_value(&mut chosen, f.clone(), f.as_str());
                                        }
                                    });
                                let key = leaf.key.clone();
                                ui.ctx().accesskit_node_builder(combo.response.id, |n| {
                                    n.set_label(key.clone())
                                });
                                if chosen != *t {
                                    doc.set_leaf(&leaf, toml::Value::String(chosen));
                                }
                            }
                            toml::Value::Boolean(b) => {
                                let mut on = *b;
                                if ui.checkbox(&mut on, "").labelled_by(l.id).changed() {
                                    doc.set_leaf(&leaf, toml::Value::Boolean(on));
                                }
                            }
                            toml::Value::String(t) => {
                                let mut text = t.clone();
                                let r = ui
                                    .add(egui::TextEdit::singleline(&mut text).desired_width(240.0))
                                    .labelled_by(l.id);
                                if r.changed() {
                                    doc.set_leaf(&leaf, toml::Value::String(text));
                                }
                            }
                            _ => {}
                        }
                        match doc.errors.get(&leaf.key) {
                            Some(e) => ui.label(RichText::new(e.as_str()).color(RED)),
                            None => ui.label(""),
                        };
                        ui.end_row();
                    }
                });
        });
}

fn editor(app: &mut App, ui: &mut egui::Ui) {
    let Some(doc) = &mut app.doc else {
        ui.heading("Open a bundled scenario or a file on the left.");
        return;
    };
    match &doc.validity {
        Ok(s) if doc.errors.is_empty() => {
            ui.label(RichText::new(format!("Valid: {s}")).color(Color32::from_rgb(90, 180, 90)));
        }
        Ok(_) => {
            ui.label(
                RichText::new(format!(
                    "{} field(s) have invalid values (marked in red); the scenario keeps the last valid value until fixed",
                    doc.errors.len()
                ))
                .color(RED),
            );
        }
        Err(e) => {
            ui.label(RichText::new(e.as_str()).color(RED));
        }
    }
    for w in &doc.warnings {
        ui.label(RichText::new(format!("Warning: {w}")).color(Color32::from_rgb(230, 160, 40)))
            .on_hover_text(
                "The scenario is valid and runs; this set-up is degenerate (docs/robustness.md)",
            );
    }
    ui.horizontal_wrapped(|ui| {
        for g in Group::ALL {
            let n = doc
                .fields
                .iter()
                .filter(|f| f.group == g && doc.errors.contains_key(&f.key))
                .count();
            let text = if n > 0 {
                RichText::new(format!("{} ({n})", g.title())).color(RED)
            } else {
                RichText::new(g.title())
            };
            ui.selectable_value(&mut app.state.group, g, text);
        }
        ui.separator();
        let raw_open = doc.raw.is_some();
        if ui
            .selectable_label(raw_open, "TOML")
            .on_hover_text("Edit the whole file as text (add banks, regions, families...)")
            .clicked()
        {
            doc.raw = if raw_open {
                None
            } else {
                Some(toml::to_string_pretty(&doc.table).unwrap_or_default())
            };
        }
    });
    ui.separator();
    if let Some(raw) = &mut doc.raw {
        if ui.button("Apply TOML").clicked() {
            app.commands.push(Command::ApplyRaw);
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            let r = ui.add(
                egui::TextEdit::multiline(raw)
                    .code_editor()
                    .desired_width(f32::INFINITY)
                    .desired_rows(40),
            );
            name(ui, &r, "scenario TOML");
        });
        return;
    }
    let group = app.state.group;
    egui::ScrollArea::vertical().show(ui, |ui| {
        switches(ui, doc, group);
        names_and_kinds(ui, doc, group);
        let fields: Vec<Field> = doc
            .fields
            .iter()
            .filter(|f| f.group == group)
            .cloned()
            .collect();
        let mut sections: Vec<String> = Vec::new();
        for f in &fields {
            if !sections.contains(&f.section) {
                sections.push(f.section.clone());
            }
        }
        for s in sections {
            egui::CollapsingHeader::new(RichText::new(words::section(&s)).strong())
                .id_salt(&s)
                .default_open(true)
                .show(ui, |ui| {
                    egui::Grid::new(format!("grid-{s}"))
                        .num_columns(4)
                        .striped(true)
                        .show(ui, |ui| {
                            for f in fields.iter().filter(|f| f.section == s) {
                                field_row(ui, doc, f);
                            }
                        });
                });
        }
        if fields.is_empty() {
            ui.weak(
                "This scenario sets nothing in this panel; use the TOML editor to add entries.",
            );
        }
    });
}

fn results_panel(app: &mut App, ui: &mut egui::Ui) {
    ui.heading("Result folders");
    let l = ui.label("Result folder");
    ui.add(egui::TextEdit::singleline(&mut app.state.result_path).hint_text("results/baseline"))
        .labelled_by(l.id);
    ui.horizontal(|ui| {
        if ui
            .button("Open result folder")
            .on_hover_text("Open a folder written by `herdlab run` or by this app")
            .clicked()
        {
            let p = PathBuf::from(app.state.result_path.trim());
            app.command(Command::OpenResult(p));
        }
        let r = ui
            .button("Browse...")
            .on_hover_text("Choose a result folder in a dialog (or drop one on the window)");
        name(ui, &r, "Browse result folders");
        if r.clicked() {
            app.command(Command::Browse(crate::files::Purpose::OpenResult));
        }
    });
    if !app.state.recent_results.is_empty() {
        ui.label("Recent:");
        for f in app.state.recent_results.clone() {
            if ui.link(&f).clicked() {
                app.command(Command::OpenResult(PathBuf::from(f)));
            }
        }
    }
    ui.separator();
    ui.heading("Export");
    let l = ui.label("Export under");
    ui.add(egui::TextEdit::singleline(&mut app.state.output_dir))
        .labelled_by(l.id)
        .on_hover_text("Folder where result folders and charts are written");
    let r = ui.button("Choose folder...");
    name(ui, &r, "Choose the export folder");
    if r.clicked() {
        app.command(Command::Browse(crate::files::Purpose::ExportUnder));
    }
    let has = app.result.is_some();
    let target = app
        .result
        .as_ref()
        .map(|r| format!("{}/{}", app.state.output_dir, r.scenario.name))
        .unwrap_or_default();
    ui.checkbox(&mut app.state.replace, "Replace an existing folder");
    if ui
        .add_enabled(has, egui::Button::new("Export result folder"))
        .on_hover_text(format!(
            "Write {target}/ (summary.json, CSV, Parquet, manifest) and report.html, as `herdlab run --report` does"
        ))
        .clicked()
    {
        app.command(Command::ExportFolder);
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label("Chart as");
        ui.radio_value(&mut app.state.chart_format, ChartFormat::Png, "PNG");
        ui.radio_value(&mut app.state.chart_format, ChartFormat::Svg, "SVG");
    });
    if ui
        .add_enabled(has, egui::Button::new("Export chart"))
        .on_hover_text(
            "Write the chart shown, with the CSV of its data, as herdlab report draws it",
        )
        .clicked()
        && let Some(chart) = app.chart
    {
        app.command(Command::ExportChart(chart));
    }
}

fn dashboard(ui: &mut egui::Ui, r: &crate::worker::RunResult, id: &str) {
    let agg = &r.aggregates;
    egui::Grid::new(format!("dash-{id}"))
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            ui.strong("measure");
            ui.strong("mean");
            ui.strong("95% interval");
            ui.strong("unit");
            ui.end_row();
            // The models-move measures (MODEL.md 4.1) when a mechanism is on, as the CLI's table.
            let extra: &[&str] = if sim::scenario::moving::any_on(&r.scenario.models) {
                &sim::scenario::moving::MEASURES
            } else {
                &[]
            };
            for &h in HEADLINE.iter().chain(extra) {
                let Some((mean, _se, lo, hi)) = headline(agg, h) else {
                    continue;
                };
                let doc = sim::results::PathSummary::MEASURES
                    .iter()
                    .find(|m| m.name == h)
                    .map(|m| m.doc)
                    .unwrap_or_default();
                ui.label(words::measure(h))
                    .on_hover_text(format!("{doc}\nkey: {h}"));
                ui.label(RichText::new(fmt_num(mean)).strong());
                ui.label(format!("[{}, {}]", fmt_num(lo), fmt_num(hi)));
                let unit = if h == "systemic_event" {
                    "probability".to_string()
                } else {
                    money(
                        &agg.measure(h).map(|m| m.unit.clone()).unwrap_or_default(),
                        &r.scenario,
                    )
                };
                ui.weak(unit);
                ui.end_row();
            }
        });
}

fn region_table(ui: &mut egui::Ui, r: &crate::worker::RunResult) {
    let agg = &r.aggregates;
    if agg.region_gap.is_empty() {
        return;
    }
    ui.strong("Credit gap by region (summed over quarters)");
    egui::Grid::new("regions").striped(true).show(ui, |ui| {
        ui.strong("region");
        ui.strong("mean");
        ui.strong("95% interval");
        ui.strong("unit");
        ui.end_row();
        for m in &agg.region_gap {
            let (lo, hi) = reports::output::mean_interval(&m.summary);
            ui.label(
                m.name
                    .split_once('[')
                    .map_or(m.name.as_str(), |(_, r)| r.trim_end_matches(']')),
            )
            .on_hover_text(format!("key: {}", m.name));
            ui.label(fmt_num(m.summary.mean));
            ui.label(format!("[{}, {}]", fmt_num(lo), fmt_num(hi)));
            ui.weak(money(&m.unit, &r.scenario));
            ui.end_row();
        }
    });
}

/// A unit with `money` replaced by the scenario's currency (e.g. `CNY million`).
fn money(unit: &str, s: &sim::scenario::Scenario) -> String {
    if unit == "money" && !s.currency.trim().is_empty() {
        s.currency.clone()
    } else {
        unit.to_string()
    }
}

fn results(app: &mut App, ui: &mut egui::Ui) {
    if let Some(p) = &app.partial {
        ui.heading(format!(
            "Running {}: estimates from the first {} of {} paths",
            p.scenario.name,
            p.finished.paths.len(),
            p.scenario.run.paths
        ));
        ui.weak("They sharpen as the run goes on; charts and exports come when it finishes.");
        ui.separator();
        dashboard(ui, p, "partial-run");
        ui.add_space(6.0);
        region_table(ui, p);
        return;
    }
    let Some(r) = &app.result else {
        if app.busy() {
            ui.heading("Running... the results appear here when the run finishes.");
        } else {
            ui.heading("No results yet");
            ui.label("Press Run (top) to run the scenario, or open a result folder on the left.");
        }
        return;
    };
    let m = &r.finished.manifest;
    ui.heading(format!(
        "{} - {} paths, seed {}",
        r.scenario.name,
        r.finished.paths.len(),
        m.seed
    ));
    if let Some(asked) = r.interim {
        banner(
            ui,
            ORANGE,
            &format!(
                "Interim: the run was stopped after {} of {asked} paths; these are the results of the first {} paths.",
                r.finished.paths.len(),
                r.finished.paths.len()
            ),
        );
    }
    if let Some((severe, text)) = stale(app.doc.as_ref(), r, app.result_table.as_ref()) {
        banner(ui, if severe { RED } else { ORANGE }, &text);
    }
    provenance_header(ui, r, app.result_folder.as_deref());
    egui::ScrollArea::vertical()
        .id_salt("dashboard")
        .max_height(270.0)
        .show(ui, |ui| {
            ui.columns(2, |cols| {
                dashboard(&mut cols[0], r, "run");
                region_table(&mut cols[1], r);
                let p = &r.aggregates.systemic_event;
                cols[1].add_space(6.0);
                cols[1].label(format!(
                    "Systemic event in {} of {} paths ({:.1}%, 95% interval {:.1}% to {:.1}%)",
                    p.successes,
                    p.n,
                    100.0 * p.estimate,
                    100.0 * p.low,
                    100.0 * p.high
                ));
            });
        });
    ui.separator();
    let list = app.charts.list();
    ui.horizontal_wrapped(|ui| {
        ui.label("Chart:");
        for c in &list {
            let r = ui.selectable_value(&mut app.chart, Some(*c), c.title());
            name(ui, &r, &format!("chart: {}", c.title()));
        }
    });
    for p in &app.charts.problems {
        ui.label(RichText::new(p).color(RED));
    }
    // The chart fills the rest of the window (title, note and legend included).
    let h = (ui.available_height() - 70.0).max(220.0);
    if let Some(c) = app.chart {
        chart(ui, &app.charts, c, h);
    }
    ui.weak("Scroll to zoom, drag to pan, right-drag a box to zoom into it, double-click to reset; hover for values.");
}

/// A one-line warning in a coloured frame.
fn banner(ui: &mut egui::Ui, colour: Color32, text: &str) {
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.5, colour))
        .inner_margin(6.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(colour).strong());
        });
}

/// Why the result shown is not the scenario being edited, if it is not: results of another
/// scenario are never shown as if current. `true` when it is of another scenario or of the
/// scenario before edits since.
pub fn stale(
    doc: Option<&Document>,
    r: &crate::worker::RunResult,
    run_from: Option<&toml::Table>,
) -> Option<(bool, String)> {
    let doc = doc?;
    let editing = doc
        .plain("name")
        .and_then(|n| n.as_str())
        .unwrap_or_default()
        .to_string();
    if editing != r.scenario.name {
        return Some((
            true,
            format!(
                "Not the scenario being edited: these are results of {}; the editor has {editing}.",
                r.scenario.name
            ),
        ));
    }
    match run_from {
        Some(t) if *t != doc.table => Some((
            true,
            "The scenario has been edited since this run: press Run for results of the scenario as it is now."
                .into(),
        )),
        Some(_) => None,
        None => Some((false, format!(
            "Opened from {}: results of {} as recorded there, which may differ from the scenario being edited.",
            r.folder
                .as_ref()
                .map_or_else(|| "a sweep cell".to_string(), |f| f.display().to_string()),
            r.scenario.name
        ))),
    }
}

/// Where a result came from, honestly: its origin, the edits against it (a diff), the paths and
/// seed and whether they were set in the top bar, and the command line that reproduces it.
fn provenance_header(
    ui: &mut egui::Ui,
    r: &crate::worker::RunResult,
    folder: Option<&std::path::Path>,
) {
    let m = &r.finished.manifest;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("Scenario: {}", m.scenario_origin)).weak());
        ui.separator();
        let set_here = |key: &str| {
            m.overrides
                .iter()
                .any(|o| o.split_once('=').is_some_and(|(k, _)| k.trim() == key))
        };
        ui.label(
            RichText::new(format!(
                "paths {} ({}), seed {} ({})",
                m.paths,
                if set_here("run.paths") {
                    "set in the top bar"
                } else {
                    "the file's run.paths"
                },
                m.seed,
                if set_here("run.seed") {
                    "set in the top bar"
                } else {
                    "the file's run.seed"
                },
            ))
            .weak(),
        );
        ui.separator();
        ui.label(RichText::new(m.finished.clone()).weak());
        ui.separator();
        ui.label(
            RichText::new(
                folder
                    .map(|f| format!("folder {}", f.display()))
                    .unwrap_or_else(|| "not exported yet".into()),
            )
            .weak(),
        );
    });
    if r.edits.is_empty() {
        ui.weak("Run as the scenario file has it (no edits).");
    } else {
        let origin = crate::provenance::edited_from(&m.scenario_origin).unwrap_or("its origin");
        egui::CollapsingHeader::new(
            RichText::new(format!(
                "Edited: {} change(s) against {origin}",
                r.edits.len()
            ))
            .color(Color32::from_rgb(230, 160, 40)),
        )
        .id_salt("edits")
        .default_open(r.edits.len() <= 4)
        .show(ui, |ui| {
            for e in &r.edits {
                ui.monospace(e);
            }
        });
    }
    if !m.command_line.is_empty() {
        let line = m.command_line.join(" ");
        ui.horizontal(|ui| {
            ui.weak("Reproduce:");
            ui.monospace(&line).on_hover_text(
                "The command line that reproduces these results; an exported folder holds the scenario as run (scenario.toml) and names it here",
            );
        });
    }
}

fn chart(ui: &mut egui::Ui, charts: &crate::RunCharts, which: Chart, h: f32) {
    let stem = which.stem();
    if let Some((_, c)) = charts.fans.iter().find(|(s, _)| *s == which) {
        plots::fan(ui, stem, c, h);
    } else if let Some((_, c)) = charts.histograms.iter().find(|(s, _)| *s == which) {
        plots::histogram(ui, stem, c, h);
    } else if let Some((_, c)) = charts.attribution.iter().find(|(s, _)| *s == which) {
        plots::attribution(ui, stem, c, h);
    } else if which == Chart::CreditGapByRegion
        && let Some(c) = &charts.regions
    {
        plots::fan_panels(ui, stem, c, h);
    } else if which == Chart::Herding
        && let Some(c) = &charts.herding
    {
        plots::herding(ui, stem, c, h);
    } else if which == Chart::Network
        && let Some(c) = &charts.network
    {
        plots::network(ui, stem, c, h);
    } else if which == Chart::NetworkByRegion
        && let Some(c) = &charts.network_regions
    {
        // The grid carries its own note.
        plots::region_matrix(ui, c);
        return;
    }
    if let Some(note) = note_of(charts, which) {
        ui.weak(note);
    }
}

fn note_of(charts: &crate::RunCharts, which: Chart) -> Option<String> {
    charts
        .fans
        .iter()
        .find(|(s, _)| *s == which)
        .and_then(|(_, c)| c.note.clone())
        .or_else(|| {
            charts
                .histograms
                .iter()
                .find(|(s, _)| *s == which)
                .and_then(|(_, c)| c.note.clone())
        })
}

fn drill(app: &mut App, ui: &mut egui::Ui) {
    ui.heading("Drill down: one path, quarter by quarter");
    let Some(r) = app.result.clone() else {
        ui.label("Run a scenario (or open a result folder) first; then step through any of its paths here.");
        return;
    };
    if let Some(asked) = r.interim {
        banner(
            ui,
            ORANGE,
            &format!("Interim: {} of {asked} paths.", r.finished.paths.len()),
        );
    }
    if let Some((severe, text)) = stale(app.doc.as_ref(), &r, app.result_table.as_ref()) {
        banner(ui, if severe { RED } else { ORANGE }, &text);
    }
    let charts = app.charts.clone();
    crate::drill::view(ui, &r, charts.network.as_ref(), &mut app.drill);
}

fn compare(app: &mut App, ui: &mut egui::Ui) {
    ui.heading("Compare on common random numbers");
    ui.label("Runs the scenario being edited (the reference) and each variant on the same paths and seed, and shows paired differences (variant minus reference) with 95% intervals.");
    let idle = !app.busy();
    ui.horizontal(|ui| {
        let r = ui
            .add_enabled(
                idle,
                egui::Button::new(
                    RichText::new("Documented case: east credit gap, monoculture vs diverse")
                        .strong(),
                ),
            )
            .on_hover_text(format!(
                "Opens {} as the reference, compares {} with it on the same paths and seed, and draws the east's credit gap fans overlaid with their paired difference (the case of scenarios/regional-monoculture.toml)",
                crate::DOCUMENTED_CASE.0,
                crate::DOCUMENTED_CASE.1
            ));
        if r.clicked() {
            app.command(Command::DocumentedCase);
        }
    });
    ui.add_space(4.0);
    let reference = app
        .doc
        .as_ref()
        .map(|d| d.source.label())
        .unwrap_or_else(|| "no scenario open".into());
    ui.horizontal(|ui| {
        ui.label(format!("Reference: {reference} (as edited)"));
        if ui
            .add_enabled(idle && !app.state.variants.is_empty(), egui::Button::new("Swap reference and variant"))
            .on_hover_text("The variant shown becomes the reference and the reference a variant (a finished comparison is swapped at once; the editor opens the new reference)")
            .clicked()
        {
            app.command(Command::SwapCompare);
        }
    });
    let mut remove = None;
    let n = app.state.variants.len();
    for (i, v) in app.state.variants.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let label = if n == 1 {
                "Variant (bundled name or file)".to_string()
            } else {
                format!("Variant {} (bundled name or file)", i + 1)
            };
            let l = ui.label(&label);
            ui.add(egui::TextEdit::singleline(v).desired_width(300.0))
                .labelled_by(l.id);
            let combo = egui::ComboBox::from_id_salt(("variant-pick", i))
                .selected_text("bundled...")
                .show_ui(ui, |ui| {
                    for b in reports::bundled::SCENARIOS {
                        ui.selectable_value(v, b.name.to_string(), b.name);
                    }
                });
            name(
                ui,
                &combo.response,
                &format!("pick a bundled variant {}", i + 1),
            );
            let r = ui.add_enabled(n > 1, egui::Button::new("Remove"));
            name(ui, &r, &format!("remove variant {}", i + 1));
            if r.clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        app.state.variants.remove(i);
    }
    ui.horizontal(|ui| {
        if ui
            .button("Add variant")
            .on_hover_text("Compare several variants against the one reference")
            .clicked()
        {
            app.state.variants.push(String::new());
        }
        let ok = idle && app.doc.as_ref().is_some_and(Document::is_valid);
        if ui
            .add_enabled(ok, egui::Button::new("Run comparison"))
            .clicked()
        {
            app.command(Command::Compare);
        }
    });
    ui.separator();
    if let Some(p) = &app.compare_partial {
        ui.strong(format!(
            "Reference finished ({}); the variants are running...",
            p.scenario.name
        ));
        dashboard(ui, p, "partial");
        return;
    }
    let Some(c) = app.compare.clone() else {
        ui.weak("No comparison yet.");
        return;
    };
    let mut export = false;
    let mut export_chart = false;
    ui.horizontal(|ui| {
        if c.variants.len() > 1 {
            ui.label("Variant shown:");
            for (i, v) in c.variants.iter().enumerate() {
                ui.selectable_value(&mut app.compare_shown, i, &v.scenario.name);
            }
            ui.separator();
        }
        if ui
            .button("Export comparison chart")
            .on_hover_text("Write the paired differences with their intervals as a chart (PNG or SVG as chosen in the Results view, with its CSV), as herdlab report draws it")
            .clicked()
        {
            export_chart = true;
        }
        if ui
            .button("Export comparison folder")
            .on_hover_text(format!(
                "Write {}/compare-.../ with every run, comparison.csv/json and report.html, as herdlab compare --report does",
                app.state.output_dir
            ))
            .clicked()
        {
            export = true;
        }
    });
    let i = app.compare_shown.min(c.variants.len().saturating_sub(1));
    let (Some(variant), Some(comparison)) = (c.variants.get(i), c.comparisons.get(i)) else {
        return;
    };
    ui.strong(format!(
        "{} minus {} - {} paths, seed {}",
        variant.scenario.name,
        c.reference.scenario.name,
        c.reference.finished.paths.len(),
        c.reference.scenario.run.seed
    ));
    ui.horizontal(|ui| {
        ui.selectable_value(
            &mut app.compare_table,
            false,
            "Credit gap by region (figure)",
        );
        ui.selectable_value(&mut app.compare_table, true, "All measures (table)");
        if !app.compare_table && c.reference.scenario.regions.len() > 1 {
            ui.separator();
            ui.label("Region:");
            ui.selectable_value(&mut app.compare_region, None, "every region");
            for r in &c.reference.scenario.regions {
                ui.selectable_value(&mut app.compare_region, Some(r.name.clone()), &r.name);
            }
        }
    });
    let h = (ui.clip_rect().bottom() - ui.cursor().top() - 40.0).max(320.0);
    if !app.compare_table {
        let key = (std::sync::Arc::as_ptr(&c) as usize, i);
        if app.overlay.as_ref().is_none_or(|(k, _)| *k != key) {
            let fig = crate::figure::overlay(&c.reference, variant).map_err(|e| e.to_string());
            app.overlay = Some((key, fig));
        }
        if let Some((_, fig)) = &app.overlay {
            match fig {
                Ok(fig) => {
                    if let Some(r) = &app.compare_region {
                        let d = comparison
                            .region_gap
                            .iter()
                            .find(|m| m.name == format!("credit_gap[{r}]"));
                        if let Some(d) = d {
                            let x = &d.difference;
                            ui.label(
                                RichText::new(format!(
                                    "Credit gap in the {r}, summed over quarters: {} minus {} = {} {} (95% interval {} to {})",
                                    variant.scenario.name,
                                    c.reference.scenario.name,
                                    fmt_num(x.mean),
                                    money(&d.unit, &c.reference.scenario),
                                    fmt_num(x.low),
                                    fmt_num(x.high)
                                ))
                                .strong(),
                            );
                        }
                    }
                    egui::ScrollArea::vertical()
                        .id_salt("overlay")
                        .show(ui, |ui| {
                            plots::overlay_figure(
                                ui,
                                "overlay",
                                fig,
                                app.compare_region.as_deref(),
                                h,
                            );
                        });
                }
                Err(e) => {
                    ui.label(RichText::new(format!("No figure: {e}")).color(RED));
                }
            }
        }
    } else {
        let mut rows: Vec<&sim::aggregate::MeasureDifference> = HEADLINE
            .iter()
            .filter_map(|h| comparison.measure(h))
            .collect();
        rows.extend(comparison.region_gap.iter());
        egui::ScrollArea::vertical().id_salt("diff-table").show(ui, |ui| {
            egui::Grid::new("diffs").striped(true).show(ui, |ui| {
                for h in [
                    "measure",
                    "reference",
                    "variant",
                    "difference",
                    "95% interval",
                    "unit",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for m in &rows {
                    let d = &m.difference;
                    ui.label(words::measure(&m.name))
                        .on_hover_text(format!("key: {}", m.name));
                    ui.label(fmt_num(d.mean_a));
                    ui.label(fmt_num(d.mean_b));
                    let sig = d.low > 0.0 || d.high < 0.0;
                    let t = RichText::new(fmt_num(d.mean)).strong();
                    ui.label(if sig { t } else { t.weak() })
                        .on_hover_text(if sig {
                            "the interval excludes 0"
                        } else {
                            "the interval includes 0: no clear difference"
                        });
                    ui.label(format!("[{}, {}]", fmt_num(d.low), fmt_num(d.high)));
                    ui.weak(money(&m.unit, &c.reference.scenario));
                    ui.end_row();
                }
            });
            ui.add_space(8.0);
            ui.strong("Paired differences relative to the reference's mean, with their 95% intervals (coloured where the interval excludes 0)");
            let bars: Vec<(String, f64, f64, f64)> = rows
                .iter()
                .filter(|m| m.difference.mean_a.abs() > 0.0)
                .map(|m| {
                    let d = &m.difference;
                    let s = 100.0 / d.mean_a.abs();
                    (words::measure(&m.name), s * d.mean, s * d.low, s * d.high)
                })
                .collect();
            let h = (ui.clip_rect().bottom() - ui.cursor().top() - 40.0).max(260.0);
            plots::difference_bars(ui, "compare-bars", &bars, h);
        });
    }
    if export {
        app.command(Command::ExportComparison);
    }
    if export_chart {
        app.command(Command::ExportCompareChart);
    }
}

fn sweep(app: &mut App, ui: &mut egui::Ui) {
    ui.heading("Sweep one or two parameters");
    ui.label("Every cell runs the scenario being edited with the parameters set to one combination of values, on the same seed. Values: a:b:n (n points from a to b) or a list 1,2,3.");
    let keys: Vec<String> = app
        .doc
        .as_ref()
        .map(|d| d.fields.iter().map(|f| f.key.clone()).collect())
        .unwrap_or_default();
    for (axis, path, values) in [
        ("x", &mut app.state.sweep_x, &mut app.state.sweep_x_values),
        ("y", &mut app.state.sweep_y, &mut app.state.sweep_y_values),
    ] {
        ui.horizontal(|ui| {
            let l = ui.label(format!("Parameter {axis}"));
            ui.add(
                egui::TextEdit::singleline(path)
                    .desired_width(300.0)
                    .hint_text(if axis == "y" { "(optional)" } else { "" }),
            )
            .labelled_by(l.id);
            let combo = egui::ComboBox::from_id_salt(format!("pick-{axis}"))
                .selected_text("pick...")
                .height(400.0)
                .show_ui(ui, |ui| {
                    if axis == "y" {
                        ui.selectable_value(path, String::new(), "(none)");
                    }
                    for k in &keys {
                        ui.selectable_value(path, k.clone(), k.as_str());
                    }
                });
            name(ui, &combo.response, &format!("pick parameter {axis}"));
            let l = ui.label(format!("{axis} values"));
            ui.add(egui::TextEdit::singleline(values).desired_width(160.0))
                .labelled_by(l.id);
        });
    }
    ui.horizontal(|ui| {
        ui.label("Measure shown");
        let combo = egui::ComboBox::from_id_salt("sweep-measure")
            .selected_text(app.state.sweep_measure.clone())
            .show_ui(ui, |ui| {
                for h in HEADLINE {
                    ui.selectable_value(&mut app.state.sweep_measure, h.to_string(), h);
                }
            });
        name(ui, &combo.response, "measure shown in the charts");
        let ok = !app.busy() && app.doc.as_ref().is_some_and(Document::is_valid);
        if ui.add_enabled(ok, egui::Button::new("Run sweep")).clicked() {
            app.command(Command::Sweep);
        }
    });
    ui.separator();
    let mut export = false;
    let Some(s) = &app.sweep else {
        ui.weak("No sweep yet.");
        return;
    };
    let measure = app.state.sweep_measure.clone();
    let done = s.cells.iter().filter(|c| c.is_some()).count();
    ui.label(format!(
        "{done} of {} cells finished{}",
        s.cells.len(),
        if s.done {
            ""
        } else {
            " (cells appear as they finish)"
        }
    ));
    if ui
        .add_enabled(s.done, egui::Button::new("Export sweep folder"))
        .on_hover_text(format!(
            "Write {}/sweep-.../ with every cell, grid.csv, sweep.json and report.html, as herdlab sweep --report does",
            app.state.output_dir
        ))
        .clicked()
    {
        export = true;
    }
    let mut open = None;
    let mut export_chart = false;
    match s.chart(&measure) {
        Some(crate::SweepChart::Line(chart)) => {
            plots::sweep_line(ui, "sweep-line", &chart, 320.0);
            ui.horizontal_wrapped(|ui| {
                ui.label("Open cell:");
                if let Some(x) = s.vary.first() {
                    for (i, v) in x.values.iter().enumerate() {
                        let ready = s.cells.get(i).is_some_and(|c| c.is_some());
                        if ui
                            .add_enabled(ready, egui::Button::new(format!("{} = {v}", x.path)))
                            .clicked()
                        {
                            open = Some(i);
                        }
                    }
                }
            });
        }
        Some(crate::SweepChart::Grid(grid)) => {
            let ny = grid.y_values.len();
            // Cells run with x slowest: cell = xi * ny + yi.
            if let Some((xi, yi)) = plots::sweep_grid(ui, &grid) {
                open = Some(xi * ny + yi);
            }
        }
        None => {}
    }
    if ui
        .add_enabled(s.done, egui::Button::new("Export sweep chart"))
        .on_hover_text("Write this chart (PNG or SVG as chosen in the Results view, with its CSV) as herdlab report draws it")
        .clicked()
    {
        export_chart = true;
    }
    if export_chart {
        app.command(Command::ExportSweepChart);
    }
    if let Some(i) = open {
        app.command(Command::OpenSweepCell(i));
    }
    if export {
        app.command(Command::ExportSweep);
    }
}

/// The Monitor view: a decision log, the alarm rule, and the herding series of the whole log and
/// each region with their intervals and the quarters where alarms were raised.
fn monitor_view(app: &mut App, ui: &mut egui::Ui) {
    ui.heading("Herding monitor");
    ui.label("Reads a log of credit decisions (CSV or Parquet: quarter, bank, applicant, approved, and optionally region, family, amount, creditworthy; docs/monitor.md) and computes the herding measures of MODEL.md §10 per quarter and region, with the alarm rule below. `herdlab run --decision-log` writes the engine's own logs.");
    ui.horizontal(|ui| {
        let l = ui.label("Log");
        ui.add(egui::TextEdit::singleline(&mut app.state.monitor_log).desired_width(420.0))
            .labelled_by(l.id);
        let r = ui.button("Browse...");
        name(ui, &r, "Browse decision logs");
        if r.clicked() {
            app.command(Command::Browse(crate::files::Purpose::DecisionLog));
        }
        ui.separator();
        let l = ui.label("Alarm measure");
        let combo = egui::ComboBox::from_id_salt("monitor-measure")
            .selected_text(app.state.monitor_measure.clone())
            .show_ui(ui, |ui| {
                for m in monitor::Measure::NAMES {
                    ui.selectable_value(&mut app.state.monitor_measure, m.to_string(), m);
                }
            });
        combo.response.labelled_by(l.id);
        let l = ui.label("Threshold");
        ui.add(egui::TextEdit::singleline(&mut app.state.monitor_threshold).desired_width(60.0))
            .labelled_by(l.id);
        let l = ui.label("Quarters");
        ui.add(egui::TextEdit::singleline(&mut app.state.monitor_persistence).desired_width(40.0))
            .labelled_by(l.id)
            .on_hover_text("Consecutive quarters over the threshold before the alarm is raised; the response starts one quarter later");
        if ui
            .add_enabled(!app.busy(), egui::Button::new("Read log"))
            .clicked()
        {
            app.command(Command::Monitor);
        }
    });
    ui.weak("The rule that tells regional-monoculture from its diverse twin on engine logs: shared-model-excess above 0.06 for 2 quarters (docs/monitor.md).");
    ui.separator();
    let Some(r) = app.monitor.clone() else {
        ui.weak("No log read yet.");
        return;
    };
    let mut export = false;
    ui.horizontal(|ui| {
        ui.strong(format!(
            "{}: {} rows, {} quarters{}",
            r.log.display(),
            r.rows,
            r.quarters.len(),
            if r.creditworthy_known {
                " (measures among creditworthy applicants)"
            } else {
                ""
            }
        ));
        if ui
            .button("Export monitor folder")
            .on_hover_text(format!(
                "Write {}/monitor-.../ with summary.json, quarters.csv/.parquet, the charts and report.html, as herdlab monitor does",
                app.state.output_dir
            ))
            .clicked()
        {
            export = true;
        }
    });
    if r.alarms.is_empty() {
        ui.label("No alarm was raised.");
    } else {
        for a in &r.alarms {
            ui.colored_label(
                RED,
                format!(
                    "Alarm, {}: {} over {} from quarter {}, raised in quarter {} (value {:.3}); response from quarter {}",
                    a.region.as_deref().unwrap_or("all regions"),
                    serde_json::to_value(a.measure)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    r.settings.alarm.map_or(f64::NAN, |x| x.threshold),
                    a.first_quarter_over,
                    a.raised_quarter,
                    a.value,
                    a.response_quarter
                ),
            );
        }
    }
    // The chart of the measure the alarm watches comes first, with the alarm quarters marked.
    let watched_stem = r.settings.alarm.and_then(|a| {
        serde_json::to_value(a.measure)
            .ok()
            .and_then(|v| v.as_str().map(|m| format!("monitor-{m}")))
    });
    let mut charts: Vec<&(&str, reports::charts::FanChart)> = app.monitor_charts.iter().collect();
    charts.sort_by_key(|(stem, _)| Some(*stem) != watched_stem.as_deref());
    egui::ScrollArea::vertical().show(ui, |ui| {
        for (stem, chart) in charts {
            let watched = Some(*stem) == watched_stem.as_deref();
            let marks: Vec<(f64, String)> = if watched {
                r.alarms
                    .iter()
                    .map(|a| {
                        (
                            f64::from(a.raised_quarter),
                            format!("alarm: {}", a.region.as_deref().unwrap_or("all")),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let threshold = if watched {
                r.settings.alarm.map(|a| a.threshold)
            } else {
                None
            };
            plots::fan_marked(ui, stem, chart, &marks, threshold, 260.0);
            ui.add_space(12.0);
        }
    });
    if export {
        app.command(Command::ExportMonitor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A switch whose path is misspelt would be written where the engine never reads it; the
    /// scenario format refuses unknown fields, so each is checked by setting it.
    #[test]
    fn every_switch_names_a_field_of_the_scenario_format() {
        let origin = reports::input::Origin::resolve("baseline").expect("bundled");
        for (path, _, kinds) in SWITCHES {
            let mut table = origin.table().expect("readable");
            let value = match kinds.first() {
                Some(k) => toml::Value::String((*k).into()),
                None => toml::Value::Boolean(true),
            };
            let p = reports::toml_path::ParamPath::parse(path).expect("a path");
            reports::toml_path::set(&mut table, &p, value).expect("settable");
            let raw = sim::scenario::raw_from_table(table, "baseline");
            assert!(raw.is_ok(), "{path}: {:?}", raw.err());
        }
    }
}
