//! Every chart of every bundled scenario's report, checked from its geometry (no OCR): no two tick
//! labels overlap or leave the figure, no two series share a colour, no panel is empty, and a
//! chart that would be empty is left out of the report rather than drawn.
//!
//! The scenarios run small (4 paths, at most 1,500 simulated firms) to keep this within a minute
//! or two in release mode; the layout depends on the number of regions, banks, quarters and
//! panels, which are kept as bundled.

use std::path::Path;

use reports::bundled;
use reports::charts::{AnyChart, Geometry, Output, Theme};
use reports::report::{self, ReportFigure};
use sim::montecarlo::{RunOptions, Silent};
use sim::scenario::Scenario;

/// Paths per scenario: enough for bands and intervals.
const PATHS: u64 = 4;
/// Simulated firms at most (the layout does not depend on their number).
const FIRMS: usize = 1_500;

fn run(
    name: &str,
) -> (
    Scenario,
    Vec<sim::results::PathResult>,
    sim::aggregate::Aggregates,
) {
    let b = bundled::find(name).expect("bundled scenario");
    run_scenario(Scenario::load(&b.path(), bundled::sources()).expect("bundled scenario loads"))
}

/// Runs `scenario` with at most [`FIRMS`] firms and [`PATHS`] paths.
fn run_scenario(
    mut scenario: Scenario,
) -> (
    Scenario,
    Vec<sim::results::PathResult>,
    sim::aggregate::Aggregates,
) {
    scenario.firms.count = scenario.firms.count.min(FIRMS);
    let out = sim::montecarlo::run(
        &scenario,
        &RunOptions {
            paths: Some(PATHS),
            ..Default::default()
        },
        &Silent,
    )
    .expect("run succeeds");
    let agg = sim::aggregate::aggregate(&scenario, &out.paths);
    (scenario, out.paths, agg)
}

/// The problems of one figure drawn in `theme` at `output`, each prefixed by where it is.
fn problems(
    scenario: &str,
    f: &ReportFigure,
    output: &Output,
    theme: &Theme,
) -> (Geometry, Vec<String>) {
    let g = f
        .chart
        .geometry(output, theme)
        .unwrap_or_else(|e| panic!("{scenario}/{}: draws: {e}", f.stem));
    let p = g
        .problems()
        .into_iter()
        .map(|p| format!("{scenario}/{}: {p}", f.stem))
        .collect();
    (g, p)
}

/// The looks every chart is checked in: the default, and a paper's single-column figure (3.5 ×
/// 2.6 inches at 300 dpi, text a third larger, dark background, tab10).
fn looks() -> Vec<(&'static str, Output, Theme)> {
    let paper = reports::charts::FigureStyle {
        width: Some(3.5),
        height: Some(2.6),
        dpi: Some(300.0),
        font_scale: Some(1.3),
        background: Some("dark".into()),
        palette: Some("tab10".into()),
        ..Default::default()
    }
    .resolve()
    .expect("a valid style");
    vec![
        ("default", Output::default(), Theme::default()),
        ("paper", paper.0, paper.1),
    ]
}

#[test]
fn every_chart_of_every_bundled_scenario_is_laid_out_cleanly() {
    let mut all = Vec::new();
    let mut drawn = 0;
    for b in bundled::SCENARIOS {
        if bundled::HEAVY.contains(&b.name) {
            continue; // a minute a path even with few firms: its 4,000 banks
        }
        let (scenario, paths, agg) = run(b.name);
        let figs = report::run_figures(&scenario, &paths, &agg, Path::new(b.name))
            .unwrap_or_else(|e| panic!("{}: figures: {e}", b.name));
        assert!(!figs.figures.is_empty(), "{}: no figure at all", b.name);
        for f in &figs.figures {
            for (look, output, theme) in looks() {
                let (g, p) = problems(&format!("{} ({look})", b.name), f, &output, &theme);
                all.extend(p);
                drawn += 1;
                // The geometry is recorded, so the checks above checked something.
                assert!(
                    f.stem == "network" || g.tick_labels.len() >= 2,
                    "{}/{}: {} tick labels recorded",
                    b.name,
                    f.stem,
                    g.tick_labels.len()
                );
                if f.stem == "fan-regions" {
                    assert_eq!(
                        g.panels.len(),
                        scenario.regions.len() + 1,
                        "{}: a panel per region and one for all",
                        b.name
                    );
                }
            }
        }
    }
    assert!(drawn > 200, "{drawn} charts drawn");
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn sixteen_regions_grow_the_grid_without_overprinting() {
    let (scenario, paths, agg) = run("eu-banks-2018");
    assert_eq!(scenario.regions.len(), 15, "eu-banks-2018 has 15 regions");
    let figs = report::run_figures(&scenario, &paths, &agg, Path::new("eu")).expect("figures");
    let fan = figs
        .figures
        .iter()
        .find(|f| f.stem == "fan-regions")
        .expect("a regions fan");
    let output = Output::default();
    for theme in [Theme::default(), Theme::dark().with_font_scale(1.3)] {
        let (g, p) = problems("eu-banks-2018", fan, &output, &theme);
        assert!(p.is_empty(), "{}", p.join("\n"));
        assert!(
            g.height > output.height_px,
            "16 panels need a taller figure than {} px (got {})",
            output.height_px,
            g.height
        );
        assert_eq!(g.panels.len(), 16, "15 regions and all together");
    }
}

/// A bundled scenario with an interbank network reconstructed from its banks' balance sheets
/// (RAS), written to `dir` with `extra` TOML appended, run as [`run`] runs the bundled ones.
fn run_with_network(
    dir: &Path,
    name: &str,
    extra: &str,
) -> (
    Scenario,
    Vec<sim::results::PathResult>,
    sim::aggregate::Aggregates,
) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(format!("{name}.toml"));
    let file = dir.join(format!("{name}-network.toml"));
    std::fs::write(
        &file,
        format!(
            "version = 1\nbase = {:?}\nname = \"{name}-network\"\n\n[contagion.interbank]\nclearing = \"eisenberg-noe\"\n\n[contagion.interbank.network]\nkind = \"reconstructed\"\nmethod = \"ras\"\n{extra}",
            base.display().to_string()
        ),
    )
    .expect("written");
    run_scenario(Scenario::load(&file, &sim::scenario::FsSources).expect("the scenario loads"))
}

/// The bundled network scenario has one region, so the layout of the network by region is
/// checked on networks added to scenarios of several: three regions and the national banks, with
/// failures (the strip beside the rows drawn), and the 15 countries of the EBA banks.
#[test]
fn the_network_by_region_is_laid_out_cleanly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let shock =
        "\n[[shocks]]\nkind = \"bank-failure\"\nquarter = 2\nrandom = 2\nasset_loss = 0.3\n";
    let mut all = Vec::new();
    for (name, extra, groups, strip) in [
        ("baseline", shock, 4, true),
        ("eu-banks-2018", "", 15, false),
    ] {
        let (scenario, paths, agg) = run_with_network(tmp.path(), name, extra);
        let figs = report::run_figures(&scenario, &paths, &agg, Path::new(name))
            .unwrap_or_else(|e| panic!("{name}: figures: {e}"));
        let f = figs
            .figures
            .iter()
            .find(|f| f.stem == "network-regions")
            .unwrap_or_else(|| panic!("{name}: a network-regions figure"));
        let AnyChart::NetworkByRegion(chart) = &f.chart else {
            panic!("{name}: network-regions is the network by region");
        };
        assert_eq!(chart.regions.len(), groups, "{name}: {:?}", chart.regions);
        assert_eq!(chart.any_failed(), strip, "{name}");
        for (look, output, theme) in looks() {
            let (g, p) = problems(&format!("{name} ({look})"), f, &output, &theme);
            all.extend(p);
            // Both axes name every group (names cut with an ellipsis where they must be).
            let named = chart
                .regions
                .iter()
                .filter(|r| {
                    g.tick_labels
                        .iter()
                        .filter(|t| {
                            let stem = t.text.trim_end_matches('…');
                            !stem.is_empty() && r.starts_with(stem)
                        })
                        .count()
                        >= 2
                })
                .count();
            assert_eq!(named, groups, "{name} ({look}): {:?}", g.tick_labels);
            // The colour bar in money: ticks beside the regions' names.
            assert!(
                g.tick_labels.len() > 2 * groups + 1,
                "{name} ({look}): {} tick labels",
                g.tick_labels.len()
            );
        }
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn charts_that_would_be_empty_are_left_out() {
    // The interbank cascade has no firms and one quarter: no herding, no fans of one dot.
    let (scenario, paths, agg) = run("interbank-cascade");
    let figs = report::run_figures(&scenario, &paths, &agg, Path::new("ic")).expect("figures");
    let stems: Vec<&str> = figs.figures.iter().map(|f| f.stem.as_str()).collect();
    assert!(!stems.contains(&"herding"), "{stems:?}");
    assert!(!stems.iter().any(|s| s.starts_with("fan-")), "{stems:?}");
    assert!(
        figs.left_out
            .iter()
            .any(|l| l.contains("no simulated firms")),
        "{:?}",
        figs.left_out
    );
}

#[test]
fn the_documented_comparison_is_drawn_with_regions_and_herding() {
    let a = run("regional-monoculture");
    let b = run("regional-monoculture-diverse");
    let c = sim::aggregate::compare(&a.0, &a.1, &b.0, &b.1).expect("paired");
    let figs = report::compare_figures((&a.0, &a.1), (&b.0, &b.1), &c, "diverse").expect("figures");
    let output = Output::default();
    let theme = Theme::default();
    let mut all = Vec::new();
    for f in &figs {
        all.extend(problems("monoculture vs diverse", f, &output, &theme).1);
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
    let AnyChart::Comparison(cmp) = &figs[0].chart else {
        panic!("the first figure is the comparison");
    };
    let names: Vec<&str> = cmp.rows.iter().map(|r| r.name.as_str()).collect();
    assert!(
        names.iter().any(|n| n.ends_with(", east")),
        "the east region's credit gap is a row: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("decision agreement")),
        "a herding measure is a row: {names:?}"
    );
    let paired = figs
        .iter()
        .find_map(|f| match &f.chart {
            AnyChart::PairedFan(p) => Some(p),
            _ => None,
        })
        .expect("the paired fan chart");
    assert!(paired.panels.iter().any(|p| p.name == "east"));
    assert!(
        paired
            .panels
            .iter()
            .flat_map(|p| &p.difference)
            .all(|d| d.low <= d.mean && d.mean <= d.high),
        "every difference has its interval"
    );
}

#[test]
fn the_check_catches_overprinted_tick_labels() {
    // Thirteen bars with 40 pt labels cannot fit in six inches: the geometry must say so.
    let chart = reports::charts::AttributionChart {
        title: "Losses".into(),
        x_label: "Bank".into(),
        y_label: "Loss (EUR million)".into(),
        categories: (0..13).map(|i| format!("Bank number {i}")).collect(),
        channels: vec!["Credit".into()],
        values: vec![(0..13).map(|i| i as f64 + 1.0).collect()],
        ..Default::default()
    };
    let theme = Theme {
        tick_pt: 40.0,
        ..Theme::default()
    };
    let g = AnyChart::from(chart)
        .geometry(&Output::default(), &theme)
        .expect("draws");
    assert!(
        !g.overlapping_tick_labels().is_empty(),
        "overlap found in {:?}",
        g.tick_labels
    );
}

#[test]
fn sweep_charts_of_one_and_two_parameters() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (name, vary) in [
        ("one", vec!["models.similarity=0:1:5"]),
        (
            "two",
            vec!["models.similarity=0:1:3", "rates.shock.size=0,2,4"],
        ),
    ] {
        let out = tmp.path().join(name);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_herdlab"));
        cmd.args([
            "sweep",
            "regional-monoculture",
            "--paths",
            "3",
            "-q",
            "--out",
        ])
        .arg(&out);
        for v in &vary {
            cmd.args(["--vary", v]);
        }
        let status = cmd.status().expect("herdlab runs");
        assert!(status.success(), "sweep {name}");
        let figs = report::sweep_figures(&out).expect("sweep figures");
        assert!(!figs.is_empty(), "{name}: charts");
        let mut all = Vec::new();
        for f in &figs {
            all.extend(problems(name, f, &Output::default(), &Theme::default()).1);
            let (AnyChart::SweepLines(_) | AnyChart::SweepGrid(_)) = &f.chart else {
                panic!("{name}: a sweep chart");
            };
        }
        assert!(all.is_empty(), "{}", all.join("\n"));
        // Parameters by their names, not their keys.
        let labels: Vec<String> = figs
            .iter()
            .map(|f| match &f.chart {
                AnyChart::SweepLines(l) => l.param.clone(),
                AnyChart::SweepGrid(g) => format!("{} / {}", g.x_param, g.y_param),
                _ => String::new(),
            })
            .collect();
        assert!(
            labels.iter().all(|l| !l.contains("models.similarity")),
            "{labels:?}"
        );
    }
}
