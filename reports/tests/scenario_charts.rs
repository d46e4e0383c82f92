//! A `[charts]` table in a scenario file: its style reaches the figures of `run --report`, a bad
//! value is refused by `herdlab validate` naming the key, and a child scenario inherits it through
//! `base`.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn herdlab() -> Command {
    Command::cargo_bin("herdlab").expect("the herdlab binary is built")
}

fn baseline() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/baseline.toml")
        .display()
        .to_string()
}

/// A scenario with `[charts]` (title, dark, tab10) gives figures in that style, and the style
/// inherited through `base` too.
#[test]
fn a_charts_table_styles_the_report_and_is_inherited_through_base() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let parent = tmp.path().join("styled.toml");
    std::fs::write(
        &parent,
        format!(
            "base = {:?}\nname = \"styled\"\n[run]\nquarters = 4\n[charts]\ntitle = \"Paper figure one\"\nbackground = \"dark\"\npalette = \"tab10\"\n",
            baseline()
        ),
    )
    .expect("write");
    let child = tmp.path().join("child.toml");
    std::fs::write(&child, "base = \"styled.toml\"\nname = \"child\"\n").expect("write");
    for (scenario, out) in [(&parent, "a"), (&child, "b")] {
        let dir = tmp.path().join(out);
        herdlab()
            .args(["-q", "run"])
            .arg(scenario)
            .args(["--paths", "4", "--report", "--out"])
            .arg(&dir)
            .assert()
            .success();
        let svg = std::fs::read_to_string(dir.join("charts/fan-credit.svg"))
            .or_else(|_| {
                let first = std::fs::read_dir(dir.join("charts"))?
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .find(|p| p.extension().is_some_and(|x| x == "svg"))
                    .ok_or_else(|| std::io::Error::other("no svg"))?;
                std::fs::read_to_string(first)
            })
            .expect("a chart");
        assert!(
            svg.contains("Paper figure one"),
            "{scenario:?}: title not used"
        );
        // The dark background (24, 24, 24) fills the figure.
        assert!(
            svg.contains("#181818"),
            "{scenario:?}: background is not dark"
        );
    }
}

#[test]
fn a_bad_charts_value_is_refused_naming_the_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        format!("base = {:?}\n[charts]\npalette = \"rainbow\"\n", baseline()),
    )
    .expect("write");
    herdlab()
        .arg("validate")
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("[charts]").and(predicate::str::contains("palette")))
        .stderr(predicate::str::contains("rainbow"));
    std::fs::write(
        &bad,
        format!("base = {:?}\n[charts]\ncolour = 1\n", baseline()),
    )
    .expect("write");
    herdlab()
        .arg("validate")
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("colour"));
}
