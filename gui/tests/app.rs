//! The desktop app driven headless by labels with egui_kittest: open, edit, validate, run, cancel,
//! export, reopen, compare, sweep, save. Runs use a handful of paths and one thread, and write only
//! into temporary folders.

use std::path::Path;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use herdlab_gui::{App, Chart, Options, State, View};

fn app(output: &Path) -> App {
    let state = State {
        output_dir: output.display().to_string(),
        last_scenario: Some("baseline".into()),
        ..State::default()
    };
    App::with_state(
        state,
        Options {
            persist: false,
            threads: Some(1),
            // Runs go in blocks of 2 paths, so every run below also shows partial results (and
            // the export test checks that a run in blocks writes what the CLI's single run does).
            block_paths: 2,
        },
    )
}

fn harness(app: App) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 2400.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Replaces the text of the field labelled `label`.
fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// Steps frames until `done` holds or `limit` passes.
fn wait(h: &mut Harness<'static, App>, limit: Duration, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < limit,
            "timed out; status: {:?}",
            h.state().status
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
}

/// Types `dir` under Result folder, clicks Open result folder and waits until it is read (on
/// the worker thread).
fn open_folder(h: &mut Harness<'static, App>, dir: &str) {
    type_into(h, "Result folder", dir);
    click(h, "Open result folder");
    wait(h, Duration::from_secs(60), |a| !a.busy());
}

fn run_paths(h: &mut Harness<'static, App>, paths: &str) {
    type_into(h, "Paths", paths);
    click(h, "Run");
    wait(h, Duration::from_secs(60), |a| !a.busy());
}

#[test]
fn opens_a_bundled_scenario_edits_a_parameter_and_shows_a_validation_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "regional-monoculture");
    assert_eq!(
        h.state().doc.as_ref().map(|d| d.source.label()),
        Some("bundled:regional-monoculture".to_string())
    );
    click(&mut h, "Regions and firms");
    type_into(&mut h, "firms.lgd", "1.5");
    assert!(
        h.query_by_label_contains("outside the allowed range [0, 1]")
            .is_some(),
        "the error is shown beside the field"
    );
    assert!(h.state().doc.as_ref().is_some_and(|d| !d.is_valid()));
    type_into(&mut h, "firms.lgd", "0.3");
    assert!(
        h.query_by_label_contains("outside the allowed range")
            .is_none()
    );
    let doc = h.state().doc.as_ref().expect("doc");
    assert!(doc.is_valid());
    assert!(doc.dirty);
    let lgd = doc.plain("firms.lgd").and_then(|v| v.as_float());
    assert_eq!(lgd, Some(0.3));
    // A whole-scenario problem (the engine's own check) is shown too.
    type_into(&mut h, "firms.rho_global", "0.7");
    type_into(&mut h, "firms.rho_region", "0.5");
    let doc = h.state().doc.as_ref().expect("doc");
    let Err(message) = doc.validity.clone() else {
        panic!("rho_global + rho_region >= 1 is refused");
    };
    assert!(message.contains("rho_region"), "{message}");
    assert!(h.query_by_label(&message).is_some(), "shown: {message}");
    // ... and beside the field it names (the banner at the top and the line beside it).
    assert_eq!(
        h.query_all_by_label_contains("firms.rho_region = 0.5")
            .count(),
        2
    );
}

#[test]
fn opening_another_scenario_with_unsaved_changes_asks_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "Rates");
    type_into(&mut h, "rates.initial", "4");
    assert!(h.state().doc.as_ref().is_some_and(|d| d.dirty));
    click(&mut h, "rate-shock");
    assert!(h.state().pending.is_some(), "{:?}", h.state().status);
    h.run();
    assert!(h.query_by_label("Unsaved changes").is_some());
    click(&mut h, "Keep editing");
    assert_eq!(
        h.state().doc.as_ref().map(|d| d.source.label()),
        Some("bundled:baseline".to_string())
    );
    click(&mut h, "rate-shock");
    click(&mut h, "Discard changes");
    assert_eq!(
        h.state().doc.as_ref().map(|d| d.source.label()),
        Some("bundled:rate-shock".to_string())
    );
}

#[test]
fn runs_a_few_paths_to_completion_and_shows_the_dashboard() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    run_paths(&mut h, "6");
    let r = h.state().result.as_ref().expect("a result");
    assert_eq!(r.finished.paths.len(), 6);
    assert_eq!(h.state().state.view, View::Results);
    assert!(h.query_all_by_label("Systemic rejection ratio").count() >= 1);
    assert!(h.query_all_by_label("95% interval").count() >= 1);
    // Every chart of the report is there to pick.
    let charts = h.state().charts.list();
    assert!(charts.contains(&Chart::Herding));
    assert!(charts.contains(&Chart::BankLossesHistogram));
    click(&mut h, "chart: Herding");
    assert_eq!(h.state().chart, Some(Chart::Herding));
}

#[test]
fn cancels_a_longer_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "100000");
    click(&mut h, "Run");
    assert!(h.state().busy());
    std::thread::sleep(Duration::from_millis(200));
    h.run_steps(2);
    assert!(h.query_by_label_contains("left").is_some() || h.state().busy());
    click(&mut h, "Cancel");
    wait(&mut h, Duration::from_secs(30), |a| !a.busy());
    assert!(h.state().result.is_none());
    let status = h.state().status.clone().expect("status");
    assert!(status.text.contains("cancelled"), "{status:?}");
}

#[test]
fn exports_a_chart_and_a_result_folder_identical_to_the_cli_and_reopens_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Seed", "11");
    run_paths(&mut h, "5");
    assert!(h.state().result.is_some());
    assert_eq!(h.state().partial_updates, 1, "5 paths in 2 blocks");
    assert!(h.state().partial.is_none());

    click(&mut h, "SVG");
    click(&mut h, "Export chart");
    // Charts are drawn on the worker thread too.
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let svg = tmp.path().join("baseline-charts/fan-credit_gap_share.svg");
    assert!(svg.is_file(), "{:?}", h.state().status);
    assert!(
        tmp.path()
            .join("baseline-charts/fan-credit_gap_share.csv")
            .is_file()
    );
    click(&mut h, "PNG");
    click(&mut h, "chart: Herding");
    click(&mut h, "Export chart");
    // Charts are drawn on the worker thread too.
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let png = std::fs::read(tmp.path().join("baseline-charts/herding.png")).expect("png");
    assert_eq!(&png[1..4], b"PNG");

    click(&mut h, "Export result folder");
    // Folders are written on the worker thread.
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    let dir = tmp.path().join("baseline");
    assert!(dir.join("report.html").is_file(), "{:?}", h.state().status);

    // The same run from the command line writes the same bytes.
    let cli_dir = tmp.path().join("cli");
    let mut run = reports::service::RunRequest::new("baseline");
    run.settings = settings(5, Some(11), true);
    run.out = Some(cli_dir.clone());
    run.command_line = vec!["herdlab".into()];
    reports::service::run(&run, &reports::service::Quiet).expect("cli run");
    for f in [
        "summary.json",
        "quarters.csv",
        "paths.csv",
        "paths.jsonl",
        "paths.parquet",
        "charts/fan-credit_gap_share.svg",
        "charts/herding.csv",
    ] {
        let a = std::fs::read(dir.join(f)).expect(f);
        let b = std::fs::read(cli_dir.join(f)).expect(f);
        assert!(a == b, "{f} differs from the CLI's");
    }
    let gui_m = reports::output::read_manifest(&dir.join("manifest.json")).expect("manifest");
    let cli_m = reports::output::read_manifest(&cli_dir.join("manifest.json")).expect("manifest");
    assert_eq!(gui_m.input, cli_m.input);
    assert_eq!(gui_m.overrides, cli_m.overrides);
    assert_eq!(gui_m.scenario, cli_m.scenario);
    assert_eq!(gui_m.scenario_origin, cli_m.scenario_origin);
    assert_eq!(gui_m.shard, cli_m.shard);
    assert_eq!(
        (gui_m.seed, gui_m.paths, gui_m.max_memory),
        (cli_m.seed, cli_m.paths, cli_m.max_memory)
    );

    // Reopen it.
    let before = h.state().result.as_ref().map(|r| r.aggregates.clone());
    h.state_mut().result = None;
    open_folder(&mut h, dir.to_str().expect("utf-8"));
    let r = h.state().result.as_ref().expect("reopened");
    assert_eq!(r.folder.as_deref(), Some(dir.as_path()));
    assert_eq!(Some(r.aggregates.clone()), before);

    // A folder that is not a result: a message, no panic.
    open_folder(&mut h, tmp.path().to_str().expect("utf-8"));
    let status = h.state().status.clone().expect("a message");
    assert!(status.error, "{status:?}");
    assert!(
        status
            .text
            .starts_with(&format!("cannot open {}: ", tmp.path().display())),
        "{status:?}"
    );
}

#[test]
fn compares_against_a_variant_on_common_random_numbers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "4");
    click(&mut h, "Compare");
    type_into(&mut h, "Variant (bundled name or file)", "rate-shock");
    click(&mut h, "Run comparison");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    h.run(); // and every widget of the results has a name
    let c = h.state().compare.as_ref().expect("comparison");
    assert_eq!(c.variants[0].scenario.name, "rate-shock");
    assert_eq!(
        c.variants[0].scenario.run.seed,
        c.reference.scenario.run.seed
    );
    let d = c.comparisons[0].measure("credit_gap").expect("credit gap");
    assert_eq!(d.difference.n, 4);
    click(&mut h, "All measures (table)");
    h.run();
    assert!(h.query_by_label("difference").is_some());
    // The difference chart carries its intervals (error bars) beside the table.
    assert!(h.query_by_label("plot: paired differences").is_some());
}

/// The documented case (the east's credit gap, regional-monoculture against its diverse twin)
/// is two clicks from start — Compare, then the documented case — and is drawn as the two fan
/// charts overlaid with their paired difference and its interval.
#[test]
fn the_documented_case_is_reachable_in_three_clicks_as_the_overlaid_fan_chart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "6");
    click(&mut h, "Compare");
    click(
        &mut h,
        "Documented case: east credit gap, monoculture vs diverse",
    );
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    h.run();
    let c = h.state().compare.clone().expect("comparison");
    assert_eq!(c.reference.scenario.name, "regional-monoculture-diverse");
    assert_eq!(c.variants[0].scenario.name, "regional-monoculture");
    // The east alone, its two fans overlaid above the paired difference.
    assert!(h.query_by_label("plot: overlay east").is_some());
    assert!(h.query_by_label("plot: difference east").is_some());
    assert!(h.query_by_label("plot: overlay west").is_none());
    assert!(
        h.query_by_label("legend: reference: regional-monoculture-diverse")
            .is_some()
    );
    assert!(
        h.query_by_label("legend: variant: regional-monoculture")
            .is_some()
    );
    let d = c.comparisons[0]
        .region_gap
        .iter()
        .find(|m| m.name == "credit_gap[east]")
        .expect("east");
    assert!(
        h.query_by_label_contains("Credit gap in the east, summed over quarters: regional-monoculture minus regional-monoculture-diverse")
            .is_some()
    );
    // The figure's paired difference is the path-by-path difference of the same paths.
    let (_, fig) = h.state().overlay.clone().expect("figure");
    let fig = fig.expect("drawn");
    let east = fig
        .panels
        .iter()
        .find(|p| p.region == "east")
        .expect("east");
    assert_eq!(east.difference.len(), 12);
    assert!(
        east.difference
            .iter()
            .all(|x| x.low <= x.mean && x.mean <= x.high)
    );
    assert!(d.difference.n == 6);
    // Every region at once: small multiples.
    click(&mut h, "every region");
    h.run();
    for r in ["All regions", "east", "west", "north"] {
        assert!(
            h.query_by_label(&format!("plot: overlay {r}")).is_some(),
            "{r}"
        );
    }
}

/// A swap button, and several variants against one reference.
#[test]
fn swaps_the_reference_and_compares_several_variants() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "4");
    click(&mut h, "Compare");
    type_into(&mut h, "Variant (bundled name or file)", "rate-shock");
    click(&mut h, "Add variant");
    type_into(
        &mut h,
        "Variant 2 (bundled name or file)",
        "regional-monoculture",
    );
    click(&mut h, "Run comparison");
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    h.run();
    let c = h.state().compare.clone().expect("comparison");
    let names: Vec<&str> = c
        .variants
        .iter()
        .map(|v| v.scenario.name.as_str())
        .collect();
    assert_eq!(names, ["rate-shock", "regional-monoculture"]);
    assert_eq!(c.comparisons.len(), 2);
    click(&mut h, "regional-monoculture");
    assert_eq!(h.state().compare_shown, 1);
    click(&mut h, "rate-shock");
    assert_eq!(h.state().compare_shown, 0);
    let before = c.comparisons[0]
        .measure("credit_gap")
        .expect("gap")
        .difference
        .mean;
    click(&mut h, "Swap reference and variant");
    h.run();
    let s = h.state().compare.clone().expect("swapped");
    assert_eq!(s.reference.scenario.name, "rate-shock");
    assert_eq!(s.variants[0].scenario.name, "baseline");
    let after = s.comparisons[0]
        .measure("credit_gap")
        .expect("gap")
        .difference
        .mean;
    assert!(
        (after + before).abs() <= 1e-9 * before.abs().max(1.0),
        "{before} {after}"
    );
    // The editor follows: the new reference is open, the old one is the variant.
    assert_eq!(
        h.state().doc.as_ref().map(|d| d.source.label()),
        Some("bundled:rate-shock".to_string())
    );
    assert_eq!(h.state().state.variants[0], "baseline");
}

#[test]
fn sweeps_two_parameters_and_opens_a_cell() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "3");
    click(&mut h, "Sweep");
    type_into(&mut h, "Parameter x", "models.similarity");
    type_into(&mut h, "x values", "0.2,0.8");
    type_into(&mut h, "Parameter y", "rates.initial");
    type_into(&mut h, "y values", "1,3");
    click(&mut h, "Run sweep");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    h.run(); // and every widget of the heatmap has a name
    let s = h.state().sweep.as_ref().expect("sweep");
    assert_eq!(s.cells.len(), 4);
    assert!(s.cells.iter().all(Option::is_some));
    // Cell 3 is similarity 0.8, rate 1 (first parameter slowest).
    let c = s.cells[2].as_ref().expect("cell");
    assert_eq!(c.values, vec![0.8, 1.0]);
    h.get_by_label_contains("models.similarity = 0.8, rates.initial = 1:")
        .click();
    h.run_steps(3);
    assert_eq!(h.state().state.view, View::Results);
    let r = h.state().result.as_ref().expect("opened cell");
    assert_eq!(r.scenario.models.similarity, 0.8);
}

#[test]
fn saves_toml_that_the_cli_reads_unchanged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "eu-banks-2018");
    click(&mut h, "Rates");
    type_into(&mut h, "rates.initial", "3.25");
    let file = tmp.path().join("mine.toml");
    type_into(&mut h, "Save as (TOML file)", file.to_str().expect("utf-8"));
    click(&mut h, "Save as");
    assert!(file.is_file(), "{:?}", h.state().status);
    let doc = h.state().doc.as_ref().expect("doc");
    assert!(!doc.dirty);
    assert_eq!(doc.source.file.as_deref(), Some(file.as_path()));
    // The CLI's loader reads it, with the edit and the bank data file.
    let s = sim::scenario::Scenario::load(&file, &sim::scenario::FsSources).expect("valid");
    assert_eq!(s.rates.initial, 3.25);
    assert_eq!(s.banks.len(), 48);
    assert!(
        h.state()
            .state
            .recent_files
            .contains(&file.display().to_string())
    );
}

/// Run settings as the command line's `--paths P [--seed S] --threads 1 [--report]` give them.
fn settings(paths: u64, seed: Option<u64>, report: bool) -> reports::service::RunSettings {
    reports::service::RunSettings {
        paths: Some(paths),
        seed,
        threads: Some(1),
        report,
        ..Default::default()
    }
}

/// `herdlab compare A B --out OUT` with `settings`, through the service the CLI calls.
fn cli_compare(scenarios: [&str; 2], settings: reports::service::RunSettings, out: &Path) {
    let request = reports::service::CompareRequest {
        scenarios: scenarios.map(String::from).to_vec(),
        settings,
        out: Some(out.to_path_buf()),
        force: false,
        command_line: vec!["herdlab".into()],
    };
    reports::service::compare(&request, &reports::service::Quiet).expect("cli compare");
}

/// `herdlab sweep SCENARIO --vary SPEC --out OUT` with `settings`, through the service the CLI
/// calls.
fn cli_sweep(scenario: &str, vary: &str, settings: reports::service::RunSettings, out: &Path) {
    let request = reports::service::SweepRequest {
        scenario: scenario.into(),
        vary: vec![vary.into()],
        settings,
        out: Some(out.to_path_buf()),
        force: false,
        resume: false,
        command_line: vec!["herdlab".into()],
    };
    reports::service::sweep(&request, &reports::service::Quiet).expect("cli sweep");
}

#[test]
fn opens_comparison_and_sweep_folders_written_by_the_cli() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cmp = tmp.path().join("cmp");
    let swp = tmp.path().join("swp");
    let (c, s) = (cmp.to_str().expect("utf-8"), swp.to_str().expect("utf-8"));
    cli_compare(["baseline", "rate-shock"], settings(3, None, false), &cmp);
    cli_sweep(
        "baseline",
        "models.similarity=0.2,0.8",
        settings(2, None, false),
        &swp,
    );
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "Results");
    open_folder(&mut h, c);
    assert_eq!(h.state().state.view, View::Compare);
    let cr = h.state().compare.as_ref().expect("comparison");
    assert_eq!(cr.variants[0].scenario.name, "rate-shock");
    // The same paired differences as the CLI's comparison.json.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cmp.join("comparison.json")).expect("json"))
            .expect("json");
    let theirs = &json["comparisons"][0]["comparison"];
    let ours = serde_json::to_value(&cr.comparisons[0]).expect("json");
    assert_eq!(&ours, theirs);

    click(&mut h, "Results");
    open_folder(&mut h, s);
    assert_eq!(h.state().state.view, View::Sweep);
    let sw = h.state().sweep.as_ref().expect("sweep");
    assert_eq!(sw.cells.len(), 2);
    assert!(h.query_by_label("models.similarity = 0.8").is_some());
    click(&mut h, "models.similarity = 0.8");
    let r = h.state().result.as_ref().expect("cell opened");
    assert_eq!(r.scenario.models.similarity, 0.8);
}

#[test]
fn a_bad_scenario_file_is_a_message_not_a_crash() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[run\npaths = ").expect("write");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Scenario file", bad.to_str().expect("utf-8"));
    click(&mut h, "Open file");
    let status = h.state().status.clone().expect("status");
    assert!(
        status.error && status.text.contains("bad.toml"),
        "{status:?}"
    );
    // The scenario that was open stays open.
    assert_eq!(
        h.state().doc.as_ref().map(|d| d.source.label()),
        Some("bundled:baseline".to_string())
    );
    type_into(&mut h, "Scenario file", "/no/such/scenario.toml");
    click(&mut h, "Open file");
    assert!(h.state().status.as_ref().is_some_and(|s| s.error));
}

fn same_bytes(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(x == y, "{f} differs from the CLI's");
    }
}

#[test]
fn exports_comparison_and_sweep_folders_identical_to_the_cli() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "3");
    type_into(&mut h, "Seed", "5");
    click(&mut h, "Compare");
    type_into(&mut h, "Variant (bundled name or file)", "rate-shock");
    click(&mut h, "Run comparison");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    click(&mut h, "Export comparison folder");
    // Folders are written on the worker thread.
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    click(&mut h, "Export comparison chart");
    // Charts are drawn on the worker thread too.
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let chart = tmp
        .path()
        .join("compare-baseline-rate-shock-charts/comparison.png");
    assert!(chart.is_file(), "{:?}", h.state().status);
    let gui_cmp = tmp.path().join("compare-baseline-rate-shock");
    assert!(
        gui_cmp.join("report.html").is_file(),
        "{:?}",
        h.state().status
    );

    click(&mut h, "Sweep");
    type_into(&mut h, "Parameter x", "models.similarity");
    type_into(&mut h, "x values", "0.2,0.8");
    type_into(&mut h, "Parameter y", "");
    click(&mut h, "Run sweep");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    click(&mut h, "Export sweep folder");
    // Folders are written on the worker thread.
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    click(&mut h, "Export sweep chart");
    // Charts are drawn on the worker thread too.
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let csv = std::fs::read_to_string(
        tmp.path()
            .join("sweep-baseline-charts/sweep-credit_gap.csv"),
    )
    .expect("sweep chart data");
    assert_eq!(
        csv.lines().count(),
        3,
        "a header and one row per cell: {csv}"
    );
    assert!(
        tmp.path()
            .join("sweep-baseline-charts/sweep-credit_gap.png")
            .is_file()
    );
    let gui_swp = tmp.path().join("sweep-baseline");
    assert!(
        gui_swp.join("report.html").is_file(),
        "{:?}",
        h.state().status
    );

    let cli_cmp = tmp.path().join("cli-cmp");
    let cli_swp = tmp.path().join("cli-swp");
    cli_compare(
        ["baseline", "rate-shock"],
        settings(3, Some(5), true),
        &cli_cmp,
    );
    cli_sweep(
        "baseline",
        "models.similarity=0.2,0.8",
        settings(3, Some(5), true),
        &cli_swp,
    );
    same_bytes(
        &gui_cmp,
        &cli_cmp,
        &[
            "comparison.csv",
            "comparison.json",
            "baseline/summary.json",
            "rate-shock/paths.csv",
            "rate-shock/paths.parquet",
        ],
    );
    same_bytes(
        &gui_swp,
        &cli_swp,
        &[
            "grid.csv",
            "sweep.json",
            "cell-0001/summary.json",
            "cell-0002/quarters.csv",
        ],
    );
}

#[test]
fn closing_the_window_with_unsaved_changes_asks_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "Rates");
    type_into(&mut h, "rates.initial", "5");
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run_steps(1);
    assert_eq!(h.state().pending, Some(herdlab_gui::Command::Quit));
    h.run();
    assert!(h.query_by_label("Unsaved changes").is_some());
    click(&mut h, "Discard changes");
    assert!(h.state().quitting);
    assert!(h.state().pending.is_none());
}

#[test]
fn edits_a_bank_model_family_by_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "regional-monoculture");
    click(&mut h, "AI models and adoption");
    click(&mut h, "Names, kinds and switches");
    h.run();
    // A family is chosen from the scenario's families, not typed.
    click(&mut h, "adoption.banks.E1");
    h.run();
    let offered: Vec<String> = h
        .query_all_by_role(egui::accesskit::Role::Button)
        .filter_map(|n| n.accesskit_node().label())
        .collect();
    let families = h.state().doc.as_ref().expect("doc").families();
    assert!(families.len() >= 3, "{families:?}");
    for f in &families {
        assert!(offered.contains(f), "{f} offered in {offered:?}");
    }
    click(&mut h, "vendor-b");
    h.run();
    let doc = h.state().doc.as_ref().expect("doc");
    assert_eq!(
        doc.plain("adoption.banks.E1").and_then(|v| v.as_str()),
        Some("vendor-b")
    );
    assert!(doc.is_valid(), "{:?}", doc.validity);
    // Shown in words.
    assert!(h.query_by_label("Model family of bank E1").is_some());
}

/// Words, not keys: every label beside a field is the registry's label, never its key; the keys
/// stay in tooltips (and accessible names, for scripts). The seed's range is not
/// `[0, 9007199254740991]`.
#[test]
fn fields_are_labelled_in_words_with_units_and_help() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run();
    click(&mut h, "Run settings");
    h.run();
    for words in [
        "Monte Carlo paths",
        "Random seed",
        "Probe sample of firms",
        "Record each bank's quarters",
        "Seed of every random draw.",
    ] {
        assert!(h.query_by_label(words).is_some(), "{words} shown");
    }
    for panel in [
        "Run settings",
        "Rates",
        "Regions and firms",
        "Banks",
        "Contagion",
    ] {
        click(&mut h, panel);
        h.run();
        let labels: Vec<String> = h
            .query_all_by_role(egui::accesskit::Role::Label)
            .filter_map(|n| n.accesskit_node().value())
            .collect();
        assert!(!labels.is_empty());
        let keys: Vec<String> = h
            .state()
            .doc
            .as_ref()
            .expect("doc")
            .fields
            .iter()
            .map(|f| f.key.clone())
            .collect();
        for l in &labels {
            assert!(
                sim::scenario::params::find(l).is_none()
                    && !keys.contains(l)
                    && !l.contains("9007199254740991"),
                "{panel}: a key or a technical bound is shown: {l:?}"
            );
        }
    }
}

#[derive(Default)]
struct MemoryStorage(std::collections::BTreeMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn remembers_the_last_scenario_recent_folders_and_settings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(App::with_state(
        State {
            output_dir: tmp.path().display().to_string(),
            ..State::default()
        },
        Options {
            persist: true,
            threads: Some(1),
            block_paths: 2,
        },
    ));
    h.run_steps(2);
    click(&mut h, "rate-shock");
    type_into(&mut h, "Paths", "4");
    click(&mut h, "Run");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    click(&mut h, "Export result folder");
    // Folders are written on the worker thread.
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    click(&mut h, "Sweep");
    let mut storage = MemoryStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let saved: State = eframe::get_value(&storage, eframe::APP_KEY).expect("saved state");
    assert_eq!(saved.last_scenario.as_deref(), Some("rate-shock"));
    assert_eq!(saved.paths, "4");
    assert_eq!(saved.view, View::Sweep);
    let folder = tmp.path().join("rate-shock").display().to_string();
    assert_eq!(saved.recent_results.first(), Some(&folder));

    // A new session starts where this one ended.
    let mut h = harness(App::with_state(
        saved,
        Options {
            persist: false,
            threads: Some(1),
            block_paths: 2,
        },
    ));
    h.run_steps(2);
    assert_eq!(
        h.state().doc.as_ref().map(|d| d.source.label()),
        Some("bundled:rate-shock".to_string())
    );
    assert_eq!(h.state().state.view, View::Sweep);

    // With persistence off nothing is written.
    let mut storage = MemoryStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    assert!(storage.0.is_empty());
}

#[test]
fn bad_run_settings_are_messages() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "many");
    click(&mut h, "Run");
    assert!(!h.state().busy());
    let status = h.state().status.clone().expect("status");
    assert!(status.error && status.text.contains("many"), "{status:?}");
    type_into(&mut h, "Paths", "0");
    click(&mut h, "Run");
    assert!(!h.state().busy());
    assert!(
        h.state()
            .status
            .as_ref()
            .is_some_and(|s| s.error && s.text.contains("a whole number from 1 to")),
        "{:?}",
        h.state().status
    );
    type_into(&mut h, "Paths", "2");
    click(&mut h, "Sweep");
    type_into(&mut h, "Parameter x", "models.no_such_thing");
    click(&mut h, "Run sweep");
    assert!(!h.state().busy());
    assert!(h.state().status.as_ref().is_some_and(|s| s.error));
}

#[test]
fn every_view_and_panel_names_its_widgets() {
    // Harness::run checks that every widget has an accessible name (screen readers, tests).
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run();
    for panel in [
        "Run settings",
        "Rates",
        "Regions and firms",
        "Banks",
        "AI models and adoption",
        "Contagion",
        "Policy",
        "TOML",
    ] {
        click(&mut h, panel);
        h.run();
    }
    run_paths(&mut h, "4");
    let charts = h.state().charts.list();
    for c in charts {
        click(&mut h, &format!("chart: {}", c.title()));
        h.run();
        assert_eq!(h.state().chart, Some(c));
    }
    for view in ["Compare", "Sweep", "Results", "Scenario"] {
        click(&mut h, view);
        h.run();
    }
}

#[test]
fn reads_a_decision_log_in_the_monitor_view_shows_the_alarms_and_exports_the_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // The engine's own decision log of path 0 of the regional monoculture.
    let bundled = reports::bundled::find("regional-monoculture").expect("bundled");
    let scenario = sim::scenario::Scenario::load(&bundled.path(), reports::bundled::sources())
        .expect("scenario");
    let logs =
        reports::service::decision_log::write_decision_log(&scenario, 0, &tmp.path().join("logs"))
            .expect("decision log");
    let log = logs
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .expect("parquet log");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "Monitor");
    assert_eq!(h.state().state.view, View::Monitor);
    // Nothing typed: a message, no job.
    click(&mut h, "Read log");
    assert!(h.state().status.as_ref().is_some_and(|s| s.error));
    type_into(&mut h, "Log", &log.display().to_string());
    type_into(&mut h, "Threshold", "abc");
    click(&mut h, "Read log");
    let status = h.state().status.clone().expect("status");
    assert!(
        status.error && status.text.contains("\"abc\""),
        "{status:?}"
    );
    type_into(&mut h, "Threshold", "0.06");
    click(&mut h, "Read log");
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    let report = h.state().monitor.clone().expect("the log was read");
    assert_eq!(report.quarters.len(), 12);
    // The default rule (shared-model excess above 0.06 for 2 quarters) fires in the east.
    assert!(
        report
            .alarms
            .iter()
            .any(|a| a.region.as_deref() == Some("east")),
        "{:?}",
        report.alarms
    );
    let stems: Vec<&str> = h.state().monitor_charts.iter().map(|c| c.0).collect();
    assert!(stems.contains(&"monitor-shared-model-excess"), "{stems:?}");
    assert!(h.query_by_label_contains("Alarm, east").is_some());
    click(&mut h, "Export monitor folder");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let out = tmp.path().join("monitor-path-0");
    for f in [
        "summary.json",
        "quarters.csv",
        "report.html",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing in {}", out.display());
    }
}

/// Honest provenance: an edited scenario run and exported records that it was edited (not the
/// untouched bundled origin), holds the scenario as run in `scenario.toml`, and its manifest's
/// command line reproduces the folder's data files byte for byte. The edits are shown in the
/// results header, and the top bar says when its Paths override the file's.
#[test]
fn an_edited_scenario_records_itself_and_a_command_line_that_reproduces_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "Regions and firms");
    type_into(&mut h, "firms.lgd", "0.3");
    type_into(&mut h, "Seed", "11");
    type_into(&mut h, "Paths", "5");
    assert!(
        h.query_by_label("overrides the file's 500").is_some(),
        "the top bar says its paths override the file's run.paths"
    );
    run_paths(&mut h, "5");
    let r = h.state().result.clone().expect("result");
    assert_eq!(r.edits, vec!["firms.lgd: 0.45 → 0.3".to_string()]);
    assert_eq!(
        r.finished.manifest.scenario_origin,
        "scenario.toml (bundled:baseline, edited)"
    );
    assert!(
        h.query_by_label_contains("Edited: 1 change(s) against bundled:baseline")
            .is_some()
    );
    assert!(h.query_by_label("firms.lgd: 0.45 → 0.3").is_some());
    assert!(h.query_by_label_contains("set in the top bar").is_some());

    click(&mut h, "Export result folder");
    wait(&mut h, Duration::from_secs(120), |a| !a.busy());
    let dir = tmp.path().join("baseline");
    let saved = dir.join("scenario.toml");
    assert!(saved.is_file(), "{:?}", h.state().status);
    let m = reports::output::read_manifest(&dir.join("manifest.json")).expect("manifest");
    let abs = std::path::absolute(&dir).expect("absolute");
    assert_eq!(
        m.command_line,
        [
            "herdlab",
            "run",
            abs.join("scenario.toml").to_str().expect("utf-8"),
            "--paths",
            "5",
            "--seed",
            "11",
            "--out",
            abs.to_str().expect("utf-8"),
            "--report"
        ]
    );
    // That command line, through the service the CLI calls, writes the same data files.
    let again = tmp.path().join("again");
    let mut run = reports::service::RunRequest::new(&m.command_line[2]);
    run.settings = settings(5, Some(11), false);
    run.out = Some(again.clone());
    run.command_line = m.command_line.clone();
    reports::service::run(&run, &reports::service::Quiet).expect("cli run");
    same_bytes(
        &dir,
        &again,
        &[
            "summary.json",
            "quarters.csv",
            "paths.csv",
            "paths.jsonl",
            "paths.parquet",
        ],
    );
    // Reopened, the folder still shows its edits.
    h.state_mut().result = None;
    open_folder(&mut h, dir.to_str().expect("utf-8"));
    let r = h.state().result.as_ref().expect("reopened");
    assert_eq!(r.edits, vec!["firms.lgd: 0.45 → 0.3".to_string()]);
}

/// Cancel keeps what finished when asked: "Stop, keep finished" keeps the blocks of paths done as
/// a run of that many paths, marked interim, that exports and reopens like any run.
#[test]
fn stopping_a_run_keeps_the_paths_finished_when_asked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "1000");
    click(&mut h, "Run");
    // Blocks of 100 paths: wait for the first to finish, then stop.
    wait(&mut h, Duration::from_secs(120), |a| a.partial.is_some());
    click(&mut h, "Stop, keep finished");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let r = h
        .state()
        .result
        .clone()
        .expect("the finished paths are kept");
    let n = r.finished.paths.len() as u64;
    assert!(
        (100..1000).contains(&n) && n.is_multiple_of(100),
        "{n} paths kept"
    );
    assert_eq!(r.interim, Some(1000));
    assert_eq!((r.scenario.run.paths, r.finished.manifest.paths), (n, n));
    assert!(
        h.query_by_label_contains("Interim: the run was stopped after")
            .is_some()
    );
    // Kept paths are exactly the first paths of any run: the same as a run of that many.
    let mut run = reports::service::RunRequest::new("baseline");
    run.settings = settings(n, None, false);
    run.out = Some(tmp.path().join("cli"));
    reports::service::run(&run, &reports::service::Quiet).expect("cli run");
    let cli = herdlab_gui::worker::RunResult::load(&tmp.path().join("cli")).expect("folder");
    assert_eq!(cli.aggregates, r.aggregates);
}

/// Results of another scenario are never shown as if current: opening another scenario, or
/// editing this one after the run, puts a warning over the results.
#[test]
fn results_of_another_or_an_older_scenario_say_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    run_paths(&mut h, "4");
    assert!(
        h.query_by_label_contains("Not the scenario being edited")
            .is_none()
    );
    assert!(h.query_by_label_contains("edited since this run").is_none());
    click(&mut h, "Scenario");
    click(&mut h, "Regions and firms");
    type_into(&mut h, "firms.lgd", "0.3");
    click(&mut h, "Results");
    h.run();
    assert!(h.query_by_label_contains("edited since this run").is_some());
    click(&mut h, "Scenario");
    assert!(h.state().doc.as_ref().is_some_and(|d| d.dirty));
    click(&mut h, "rate-shock");
    assert!(h.state().pending.is_some(), "{:?}", h.state().status);
    h.run();
    click(&mut h, "Discard changes");
    h.run();
    click(&mut h, "Results");
    h.run();
    assert!(
        h.query_by_label_contains("Not the scenario being edited: these are results of baseline")
            .is_some()
    );
}

/// The rectangles of the nodes whose accessible name starts with `prefix`.
fn rects(h: &Harness<'static, App>, prefix: &str) -> Vec<(String, egui::Rect)> {
    h.query_all_by_label_contains(prefix)
        .filter_map(|n| {
            let l = n.accesskit_node().label()?;
            l.starts_with(prefix).then(|| (l, n.rect()))
        })
        .collect()
}

/// Plots that read at a glance: legends sit above the data, never over it, and hide a series
/// when clicked; the regions chart is small multiples (one panel per region, side by side, not
/// overlapping bands); the failed-banks fan is drawn as steps.
#[test]
fn legends_sit_outside_the_data_and_regions_are_small_multiples() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "regional-monoculture");
    run_paths(&mut h, "4");
    for chart in [
        "Credit gap",
        "Failed banks",
        "Bank losses (histogram)",
        "Herding",
        "Losses by channel",
    ] {
        click(&mut h, &format!("chart: {chart}"));
        h.run();
        let plots = rects(&h, "plot: ");
        let legends = rects(&h, "legend: ");
        assert!(
            !plots.is_empty() && !legends.is_empty(),
            "{chart}: {plots:?} {legends:?}"
        );
        for (p, pr) in &plots {
            assert!(
                pr.width() > 200.0 && pr.height() > 150.0,
                "{chart}: {p} {pr:?}"
            );
        }
        for (l, lr) in &legends {
            for (p, pr) in &plots {
                assert!(!lr.intersects(*pr), "{chart}: {l} {lr:?} covers {p} {pr:?}");
                assert!(lr.bottom() <= pr.top(), "{chart}: {l} is above {p}");
            }
        }
    }
    // A legend entry hides its series and shows it again.
    click(&mut h, "chart: Credit gap");
    h.run();
    let entry = rects(&h, "legend: ").remove(0).0;
    let selected = |h: &Harness<'static, App>| {
        h.get_by_label(&entry).accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
    };
    assert!(selected(&h), "shown");
    click(&mut h, &entry);
    h.run();
    assert!(!selected(&h), "hidden");
    click(&mut h, &entry);
    h.run();
    assert!(selected(&h), "shown again");

    click(&mut h, "chart: Credit gap by region");
    h.run();
    let panels = rects(&h, "plot: ");
    let regions = h
        .state()
        .result
        .as_ref()
        .expect("run")
        .scenario
        .regions
        .len();
    // One panel per region, and one for all regions together.
    assert_eq!(
        panels.len(),
        regions + 1,
        "one panel per region: {panels:?}"
    );
    for (i, (a, ar)) in panels.iter().enumerate() {
        assert!(ar.width() > 200.0 && ar.height() > 120.0, "{a} {ar:?}");
        for (b, br) in &panels[i + 1..] {
            assert!(!ar.intersects(*br), "{a} and {b} overlap");
        }
    }
    assert!(
        h.query_by_label_contains("Steps: median across paths")
            .is_none(),
        "credit gap is not a count"
    );
    click(&mut h, "chart: Failed banks");
    h.run();
    assert!(
        h.query_by_label_contains("Steps: median across paths")
            .is_some()
    );
}

/// Drill down: one path quarter by quarter — the quarter's rates, credit, rejections and
/// failures, each region's credit, each bank's capital and losses (with bank detail on), and the
/// network of exposures.
#[test]
fn drills_down_into_one_path_quarter_by_quarter() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    // The interbank cascade, over four quarters instead of its one.
    click(&mut h, "interbank-cascade");
    click(&mut h, "Run settings");
    type_into(&mut h, "run.quarters", "4");
    click(&mut h, "Record each bank's quarters");
    assert_eq!(
        h.state()
            .doc
            .as_ref()
            .and_then(|d| d.plain("run.bank_detail"))
            .and_then(|v| v.as_bool()),
        Some(true)
    );
    run_paths(&mut h, "4");
    click(&mut h, "Drill down");
    h.run();
    for words in [
        "Policy rate",
        "Firms rejected everywhere (rationed)",
        "Banks failed so far",
        "capital (equity)",
        "Regions this quarter",
    ] {
        assert!(h.query_by_label(words).is_some(), "{words} shown");
    }
    assert!(h.query_by_label("plot: drill network").is_some());
    assert_eq!(h.state().drill.quarter, 1);
    click(&mut h, "Next quarter");
    click(&mut h, "Next quarter");
    assert_eq!(h.state().drill.quarter, 3);
    click(&mut h, "Previous quarter");
    assert_eq!(h.state().drill.quarter, 2);
    click(&mut h, "Worst credit gap");
    let r = h.state().result.clone().expect("run");
    let worst = herdlab_gui::drill::worst_path(&r.finished.paths);
    assert_eq!(h.state().drill.path, worst);
    // The numbers are the engine's own for that path and quarter.
    let q = &r.finished.paths[worst].quarters[1];
    assert!(
        h.query_by_label(&reports::output::fmt_num(q.rate))
            .is_some(),
        "the policy rate of quarter 2 is shown"
    );
}

/// The node labelled exactly `text` in the row of `row` (same height) and the column headed
/// `column` (same left edge), if any.
fn cell(h: &Harness<'static, App>, row: egui::Rect, column: egui::Rect, text: &str) -> bool {
    h.query_all_by_label(text).any(|n| {
        let r = n.rect();
        (r.center().y - row.center().y).abs() < 4.0 && (r.left() - column.left()).abs() < 4.0
    })
}

/// The drill-down's per-bank table shows each bank's SME book, new lending, applications,
/// rejections and rejection rate as the engine recorded them (`BankQuarter`), in the right row
/// and column; the region table sums them over the banks based in each region; a bank clicked
/// gets its quarters plotted.
#[test]
fn drill_down_shows_each_banks_lending_and_rejections() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "Run settings");
    type_into(&mut h, "run.quarters", "3");
    run_paths(&mut h, "2");
    click(&mut h, "Drill down");
    h.run();
    let r = h.state().result.clone().expect("run");
    let s = &r.scenario;
    let nb = s.banks.len();
    let money = s.currency.clone();
    let header = |h: &Harness<'static, App>, text: &str| -> egui::Rect {
        h.query_all_by_label(text)
            .next()
            .unwrap_or_else(|| panic!("column {text:?} shown"))
            .rect()
    };
    for quarter in [1u32, 2] {
        if quarter == 2 {
            click(&mut h, "Next quarter");
        }
        assert_eq!(h.state().drill.quarter, quarter);
        let path = &r.finished.paths[h.state().drill.path];
        let mut rejected_somewhere = false;
        for (i, b) in s.banks.iter().enumerate() {
            let q = &path.bank_quarters[(quarter as usize - 1) * nb + i];
            let rejections = q.applications - q.approvals;
            rejected_somewhere |= rejections > 0;
            let row = header(&h, &b.id);
            let rate = if q.applications > 0 {
                format!("{:.1}%", 100.0 * rejections as f64 / q.applications as f64)
            } else {
                "-".into()
            };
            for (column, text) in [
                (
                    "SME book",
                    format!("{} {money}", reports::output::fmt_num(q.loans)),
                ),
                (
                    "new lending",
                    format!("{} {money}", reports::output::fmt_num(q.new_lending)),
                ),
                ("applications", q.applications.to_string()),
                ("rejections", rejections.to_string()),
                ("rejection rate", rate),
            ] {
                let col = header(&h, column);
                assert!(
                    cell(&h, row, col, &text),
                    "quarter {quarter}, bank {}: {column} {text:?} shown",
                    b.id
                );
            }
        }
        assert!(
            rejected_somewhere,
            "some bank rejects someone in quarter {quarter}"
        );
        // Per region, the sums over the banks based there (the banks serving every region alike
        // apart).
        let col = header(&h, "new lending of banks based here");
        let rej = header(&h, "their rejections");
        for (ri, region) in s.regions.iter().enumerate() {
            let (mut lent, mut rejections) = (0.0, 0);
            for (i, b) in s.banks.iter().enumerate() {
                if reports::charts::home_region(b) == Some(ri) {
                    let q = &path.bank_quarters[(quarter as usize - 1) * nb + i];
                    lent += q.new_lending;
                    rejections += q.applications - q.approvals;
                }
            }
            let row = header(&h, &region.name);
            let lent = format!("{} {money}", reports::output::fmt_num(lent));
            assert!(cell(&h, row, col, &lent), "{}: {lent}", region.name);
            assert!(
                cell(&h, row, rej, &rejections.to_string()),
                "{}: {rejections}",
                region.name
            );
        }
        assert!(h.query_by_label("multi-region banks").is_some());
    }
    // A bank clicked: its lending and decisions over the quarters.
    assert!(h.query_by_label("plot: bank lending").is_none());
    let first = s.banks[0].id.clone();
    h.query_all_by_label(&first)
        .next()
        .expect("bank row")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().drill.bank, Some(0));
    for plot in ["plot: bank lending", "plot: bank decisions"] {
        assert!(h.query_by_label(plot).is_some(), "{plot}");
    }
    assert!(h.query_by_label("legend: rejections").is_some());
}

/// The network by region: the drill-down's "by region" toggle shows what the banks based in one
/// region lent to those based in another, the sums of the network's own exposures (every one in
/// exactly one cell), and the Results view lists the report's chart of it.
#[test]
fn the_network_view_sums_exposures_by_region() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/baseline.toml");
    let file = tmp.path().join("baseline-network.toml");
    std::fs::write(
        &file,
        format!(
            "version = 1\nbase = {:?}\nname = \"baseline-network\"\n\n[contagion.interbank]\nclearing = \"eisenberg-noe\"\n\n[contagion.interbank.network]\nkind = \"reconstructed\"\nmethod = \"ras\"\n",
            base.display().to_string()
        ),
    )
    .expect("written");
    let mut a = app(tmp.path());
    a.state.last_scenario = None;
    let mut h = harness(a);
    h.run_steps(2);
    h.state_mut().command(herdlab_gui::Command::OpenScenario(
        file.display().to_string(),
    ));
    h.run_steps(2);
    run_paths(&mut h, "2");
    assert!(h.state().result.is_some(), "{:?}", h.state().status);
    assert!(
        h.query_by_label("chart: Interbank network by region")
            .is_some()
    );
    click(&mut h, "Drill down");
    h.run();
    assert!(h.query_by_label("plot: drill network").is_some());
    click(&mut h, "by region");
    assert!(h.state().drill.by_region);
    assert!(h.query_by_label("plot: drill network").is_none());
    let r = h.state().result.clone().expect("run");
    let net = h.state().charts.network.clone().expect("a network");
    let groups = reports::charts::RegionGroups::of(&r.scenario);
    assert_eq!(groups.names, ["east", "west", "north", "multi-region"]);
    let mut total = 0.0;
    let mut shown = 0.0;
    for (a, from) in groups.names.iter().enumerate() {
        for (b, to) in groups.names.iter().enumerate() {
            let want: f64 = net
                .edges
                .iter()
                .filter(|e| groups.of_bank[e.lender] == a && groups.of_bank[e.borrower] == b)
                .map(|e| e.exposure)
                .sum();
            total += want;
            let value = if want > 0.0 {
                reports::output::fmt_num(want)
            } else {
                "none".into()
            };
            let label = format!("exposure: {from} -> {to}: {value}");
            assert!(h.query_by_label(&label).is_some(), "{label} shown");
            shown += want;
        }
    }
    let edges: f64 = net.edges.iter().map(|e| e.exposure).sum();
    assert!(edges > 0.0);
    assert!(
        (total - edges).abs() <= 1e-9 * edges,
        "{total} against {edges}"
    );
    assert_eq!(shown, total);
    click(&mut h, "by region");
    assert!(h.query_by_label("plot: drill network").is_some());
}

/// A result folder is read on the worker thread, not in a frame: the app stays responsive with a
/// spinner and "opening ..." in the top bar, then shows the folder's results; a second open while
/// one is read is refused with a message.
#[test]
fn opening_a_folder_reads_it_off_the_ui_thread_and_then_shows_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("big");
    let mut run = reports::service::RunRequest::new("baseline");
    // Enough paths (each with every bank's quarters) that reading takes several frames.
    run.settings = settings(300, Some(5), false);
    run.out = Some(out.clone());
    reports::service::run(&run, &reports::service::Quiet).expect("cli run");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    click(&mut h, "Results");
    assert!(h.state().result.is_none());
    type_into(&mut h, "Result folder", out.to_str().expect("utf-8"));
    h.get_by_label("Open result folder").click();
    h.step();
    // The frame that handled the click only started the job.
    assert!(h.state().busy());
    assert_eq!(h.state().opening.as_deref(), Some(out.as_path()));
    assert!(h.state().result.is_none());
    let label = format!("opening {}", out.display());
    let mut seen = false;
    let start = Instant::now();
    while h.state().busy() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out");
        h.step();
        if h.state().busy() {
            seen |= h.query_by_label(&label).is_some();
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(seen, "the top bar said what it was reading");
    h.run_steps(2);
    let r = h.state().result.clone().expect("the folder's results");
    assert_eq!(r.folder.as_deref(), Some(out.as_path()));
    assert_eq!(r.finished.paths.len(), 300);
    assert_eq!(h.state().state.view, View::Results);
    assert!(h.state().opening.is_none());
    // The dashboard and the charts (built on the worker too) are shown.
    assert!(h.query_by_label("chart: Credit gap").is_some());
    assert!(
        h.state()
            .status
            .as_ref()
            .is_some_and(|s| !s.error && s.text.starts_with("opened "))
    );
    assert_eq!(
        h.state().state.recent_results.first(),
        Some(&out.display().to_string())
    );

    // While one folder is read, another open is refused with a message, not queued or lost.
    type_into(&mut h, "Result folder", out.to_str().expect("utf-8"));
    h.get_by_label("Open result folder").click();
    h.step();
    assert!(h.state().busy());
    h.state_mut()
        .command(herdlab_gui::Command::OpenResult(out.clone()));
    h.step();
    let status = h.state().status.clone().expect("a message");
    if h.state().busy() {
        assert!(
            status.error && status.text.contains("wait for"),
            "{status:?}"
        );
    }
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    assert!(h.state().result.is_some());
}

/// A file dropped on the window in a test.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_on(h: &mut Harness<'static, App>, path: &Path) {
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path.to_path_buf())));
    h.run_steps(3);
}

/// Shows `dir` in the open file dialog and waits for its listing.
fn dialog_folder(h: &mut Harness<'static, App>, dir: &Path) {
    type_into(h, "Folder", dir.to_str().expect("utf-8"));
    h.key_press(Key::Enter);
    h.run_steps(2);
    wait(h, Duration::from_secs(10), |a| {
        a.file_dialog.as_ref().is_some_and(|d| d.dir == dir)
    });
    // The listing arrives from its thread within a few frames.
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run_steps(2);
}

/// Files like a desktop app: open and save through a dialog, and open what is dropped on the
/// window (a scenario file, or a result folder).
#[test]
fn opens_and_saves_through_the_file_dialog_and_opens_dropped_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let origin = reports::input::Origin::resolve("rate-shock").expect("bundled");
    let file = tmp.path().join("shock.toml");
    reports::service::save_scenario(&origin.table().expect("table"), &file, "").expect("saved");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);

    // Open through the dialog.
    click(&mut h, "Browse...");
    h.run_steps(3);
    assert!(h.state().file_dialog.is_some());
    assert!(h.query_by_label("Open a scenario file").is_some());
    dialog_folder(&mut h, tmp.path());
    click(&mut h, "shock.toml");
    click(&mut h, "Open this file");
    h.run_steps(2);
    assert!(h.state().file_dialog.is_none());
    assert_eq!(
        h.state().doc.as_ref().and_then(|d| d.source.file.clone()),
        Some(file.clone())
    );

    // Save as through the dialog.
    click(&mut h, "Save as (dialog)");
    h.run_steps(3);
    dialog_folder(&mut h, tmp.path());
    type_into(&mut h, "File name", "mine");
    click(&mut h, "Save here");
    h.run_steps(2);
    let saved = tmp.path().join("mine.toml");
    assert!(saved.is_file(), "{:?}", h.state().status);
    assert!(
        h.state()
            .state
            .recent_files
            .contains(&saved.display().to_string())
    );

    // Drop a result folder, then a scenario file.
    let out = tmp.path().join("dropped");
    let mut run = reports::service::RunRequest::new("baseline");
    run.settings = settings(3, None, false);
    run.out = Some(out.clone());
    reports::service::run(&run, &reports::service::Quiet).expect("cli run");
    drop_on(&mut h, &out);
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let r = h
        .state()
        .result
        .as_ref()
        .expect("the dropped folder is open");
    assert_eq!(r.folder.as_deref(), Some(out.as_path()));
    assert_eq!(h.state().state.view, View::Results);
    drop_on(&mut h, &file);
    assert_eq!(
        h.state().doc.as_ref().and_then(|d| d.source.file.clone()),
        Some(file.clone())
    );
    drop_on(&mut h, &tmp.path().join("nothing.png"));
    assert!(h.state().status.as_ref().is_some_and(|s| s.error));
}

/// No placeholder axes before there is data: a sweep's chart is a sentence until its first cell
/// finishes, then a plot.
#[test]
fn no_placeholder_axes_before_the_first_cell() {
    let chart = |mean: Vec<f64>| reports::charts::SweepLines {
        title: "credit_gap against models.similarity".into(),
        subtitle: None,
        note: None,
        param: "models.similarity".into(),
        values: vec![0.0, 0.5, 1.0],
        y_label: "credit gap".into(),
        band_label: "95% interval".into(),
        series: vec![reports::charts::SweepSeries {
            name: "credit_gap".into(),
            low: Some(mean.clone()),
            high: Some(mean.clone()),
            mean,
        }],
    };
    let draw = |c: reports::charts::SweepLines| {
        let mut h = Harness::builder()
            .with_size(egui::vec2(800.0, 500.0))
            .build_ui(move |ui| herdlab_gui::plots::sweep_line(ui, "sweep", &c, 300.0));
        h.run();
        (
            h.query_by_label_contains("plot: ").is_some(),
            h.query_by_label_contains("appears when the first cell finishes")
                .is_some(),
        )
    };
    assert_eq!(draw(chart(vec![f64::NAN; 3])), (false, true));
    assert_eq!(draw(chart(vec![1.0, f64::NAN, f64::NAN])), (true, false));
}

/// A comparison stopped while its variant runs keeps its finished reference when asked.
#[test]
fn stopping_a_comparison_keeps_its_finished_reference() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut h = harness(app(tmp.path()));
    h.run_steps(2);
    type_into(&mut h, "Paths", "600");
    click(&mut h, "Compare");
    type_into(&mut h, "Variant (bundled name or file)", "rate-shock");
    click(&mut h, "Run comparison");
    wait(&mut h, Duration::from_secs(120), |a| {
        a.compare_partial.is_some()
    });
    click(&mut h, "Stop, keep finished");
    wait(&mut h, Duration::from_secs(60), |a| !a.busy());
    let r = h.state().result.clone().expect("the reference is kept");
    assert_eq!(r.scenario.name, "baseline");
    assert_eq!(r.finished.paths.len(), 600);
    assert!(h.state().compare.is_none());
}
