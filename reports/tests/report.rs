//! `herdlab report` and `--report`: charts and a self-contained report.html for run, compare and
//! sweep folders, written atomically and deterministically.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn herdlab() -> Command {
    Command::cargo_bin("herdlab").expect("the herdlab binary is built")
}

fn html(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("report.html")).expect("report.html")
}

#[test]
fn run_report_has_every_chart_inline_and_the_tables() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    herdlab()
        .args([
            "run",
            "herding-alarm",
            "--paths",
            "8",
            "--report",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let page = html(&out);
    for needle in [
        "<h1>herding-alarm</h1>",
        "Probability of a systemic event",
        // Human names and units in the table, the key in a tooltip.
        "<td title=\"credit_gap_share\">Credit gap share over the horizon</td><td>%</td>",
        "<td title=\"bank_losses\">Bank losses</td><td>CNY million</td>",
        "Credit gap share by region",
        // A table of contents, numbered captions, and all-zero measures folded away.
        "<nav class=\"toc\">",
        "<figcaption><b>Figure 1.</b>",
        "zero on every path</summary>",
        "VaR",
        "Losses by channel",
        "[policy.herding_alarm]",
        "manifest.json",
    ] {
        assert!(page.contains(needle), "report.html lacks {needle:?}");
    }
    // Charts are inline SVG, and each has its PNG and data beside it.
    assert!(
        page.matches("<svg").count() >= 10,
        "{} inline charts",
        page.matches("<svg").count()
    );
    assert!(!page.contains("<?xml"));
    // The charts' font travels with the page: self-contained, offline, no system fonts.
    assert_eq!(
        page.matches("@font-face{font-family:'DejaVu Sans'").count(),
        2
    );
    for fetch in ["src=\"http", "href=\"http", "url(http"] {
        assert!(!page.contains(fetch), "the page fetches {fetch}...");
    }
    for stem in [
        "fan-credit_gap_share",
        "hist-bank_losses",
        "herding",
        "attribution-quarters",
    ] {
        for ext in ["svg", "png", "csv"] {
            assert!(
                out.join("charts").join(format!("{stem}.{ext}")).is_file(),
                "{stem}.{ext}"
            );
        }
    }
    // No temporary folders left, and a second report gives the same bytes.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
    let svg = std::fs::read(out.join("charts/herding.svg")).expect("svg");
    herdlab()
        .arg("report")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    assert_eq!(page, html(&out));
    assert_eq!(
        svg,
        std::fs::read(out.join("charts/herding.svg")).expect("svg")
    );
}

#[test]
fn network_scenarios_get_a_network_chart() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("n");
    herdlab()
        .args([
            "run",
            "interbank-cascade",
            "--paths",
            "3",
            "--report",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("charts/network.png").is_file());
    assert!(html(&out).contains("interbank network"));
}

/// The sum of a CSV column of numbers.
fn column_sum(file: &Path, column: &str) -> f64 {
    let text = std::fs::read_to_string(file).expect("csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let k = header
        .iter()
        .position(|h| *h == column)
        .expect("the column");
    lines
        .map(|l| {
            l.split(',')
                .nth(k)
                .and_then(|v| v.parse::<f64>().ok())
                .expect("a number")
        })
        .sum()
}

#[test]
fn network_scenarios_of_several_regions_get_the_network_by_region_and_others_do_not() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The baseline's banks (three regions and national banks) on a network reconstructed from
    // their interbank assets and liabilities.
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
    let out = tmp.path().join("net");
    herdlab()
        .arg("run")
        .arg(&file)
        .args(["--paths", "3", "--report", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let charts = out.join("charts");
    for f in [
        "network-regions.png",
        "network-regions.svg",
        "network-regions.csv",
        "network-regions-regions.csv",
    ] {
        assert!(charts.join(f).is_file(), "{f}");
    }
    let page = html(&out);
    assert!(page.contains("Interbank exposures by region"), "captioned");
    assert!(page.contains("network-regions.png"), "linked");
    // Every exposure of the network is in exactly one pair of regions.
    let pairs = column_sum(&charts.join("network-regions.csv"), "exposure");
    let edges = column_sum(&charts.join("network-edges.csv"), "exposure");
    assert!(edges > 0.0);
    assert!(
        (pairs - edges).abs() <= 1e-9 * edges,
        "{pairs} by region against {edges} over the edges"
    );
    // Four groups: east, west, north and the national banks.
    let regions = std::fs::read_to_string(charts.join("network-regions-regions.csv")).expect("csv");
    assert_eq!(regions.lines().count(), 1 + 4, "{regions}");
    assert!(regions.contains("\nmulti-region,3,"), "{regions}");

    // One region (the interbank cascade): the network, but nothing to sum by region, and the
    // report says why; no network at all (the baseline): neither.
    for (scenario, network) in [("interbank-cascade", true), ("baseline", false)] {
        let out = tmp.path().join(scenario);
        herdlab()
            .args(["run", scenario, "--paths", "3", "--report", "-q", "--out"])
            .arg(&out)
            .assert()
            .success();
        assert_eq!(
            out.join("charts/network.png").is_file(),
            network,
            "{scenario}"
        );
        assert!(
            !out.join("charts/network-regions.png").exists(),
            "{scenario}"
        );
        assert_eq!(
            html(&out).contains("every bank is based in one region"),
            network,
            "{scenario}"
        );
    }
}

#[test]
fn models_move_scenarios_get_a_model_families_chart_and_v1_scenarios_do_not() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (scenario, moving) in [("vendor-drift", true), ("baseline", false)] {
        let out = tmp.path().join(scenario);
        herdlab()
            .args(["run", scenario, "--paths", "3", "--report", "-q", "--out"])
            .arg(&out)
            .assert()
            .success();
        let page = html(&out);
        assert_eq!(
            out.join("charts/fan-effective_families.png").is_file(),
            moving,
            "{scenario}"
        );
        assert_eq!(
            page.contains("effective number of model families"),
            moving,
            "{scenario}"
        );
    }
}

#[test]
fn compare_and_sweep_reports_have_their_own_layouts() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = tmp.path().join("c");
    herdlab()
        .args([
            "compare",
            "regional-monoculture-diverse",
            "regional-monoculture",
            "--paths",
            "6",
            "--report",
            "-q",
            "--out",
        ])
        .arg(&c)
        .assert()
        .success();
    let page = html(&c);
    assert!(page.contains("Comparison against regional-monoculture-diverse"));
    assert!(page.contains("<td title=\"credit_gap[east]\">Total credit gap, east</td>"));
    assert!(
        c.join("charts/paired-regions-regional-monoculture.svg")
            .is_file(),
        "the paper figure: both fans per region over their paired difference"
    );
    assert!(
        c.join("charts/comparison-regional-monoculture.svg")
            .is_file()
    );
    assert!(
        c.join("regional-monoculture/report.html").is_file(),
        "each scenario gets its own report"
    );

    let s = tmp.path().join("s");
    herdlab()
        .args([
            "sweep",
            "baseline",
            "--vary",
            "models.similarity=0:1:3",
            "--paths",
            "4",
            "--report",
            "-q",
            "--out",
        ])
        .arg(&s)
        .assert()
        .success();
    let page = html(&s);
    assert!(page.contains("Sweep of baseline over models.similarity"));
    assert!(s.join("charts/sweep-credit_gap_share.svg").is_file());
    assert_eq!(page.matches("<tr><td><a href=\"cell-").count(), 3);
}

#[test]
fn chart_only_formats_and_bad_folders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("r");
    herdlab()
        .args(["run", "baseline", "--paths", "4", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    herdlab()
        .args([
            "report", "--format", "png", "--width", "3.5", "--height", "2.5", "--dpi", "200", "-q",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("charts/fan-system_car.png").is_file());
    assert!(!out.join("charts/fan-system_car.svg").exists());
    assert!(!out.join("report.html").exists());
    // Not a result folder: a clear error naming it, I/O exit code.
    herdlab()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .code(4)
        .stderr(predicate::str::contains("not a herdlab result folder"));
    // A size out of range is a usage error.
    herdlab()
        .args(["report", "--dpi", "5"])
        .arg(&out)
        .assert()
        .code(2);
}
