//! Writes the engine's own decision log (MODEL.md §10) of one path of a scenario as CSV, next to
//! the engine's in-model herding measures of that path, so that the monitor can be run on it:
//!
//! ```sh
//! cargo run --release -p herdlab-monitor --example engine_log -- \
//!     scenarios/regional-monoculture.toml 20000 0 /tmp/log.csv
//! cargo run --release -p herdlab-monitor --example monitorlog -- /tmp/log.csv /tmp/monitored
//! ```
//!
//! Arguments: the scenario file, the number of firms (0: the file's), the path, the CSV to write.
//! Prints, per quarter, the engine's systemic-rejection ratio and decision agreement (on its probe)
//! for comparison with the monitor's `quarters.csv`. (Until `herdlab run --decision-log` exists,
//! this is how a log with known truth is made from a bundled scenario.)

use std::fmt::Write as _;
use std::path::PathBuf;

use sim::model::{Decision, Model};
use sim::montecarlo::Silent;
use sim::scenario::{FsSources, Scenario};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: engine_log SCENARIO FIRMS PATH OUT.csv";
    let mut args = std::env::args().skip(1);
    let file = PathBuf::from(args.next().ok_or(usage)?);
    let firms: usize = args.next().ok_or(usage)?.parse()?;
    let path: u64 = args.next().ok_or(usage)?.parse()?;
    let out = PathBuf::from(args.next().ok_or(usage)?);
    let mut s = Scenario::load(&file, &FsSources)?;
    if firms > 0 {
        s.firms.count = firms;
    }
    let model = Model::new(&s)?;
    let mut log: Vec<Decision> = Vec::new();
    let result = model.simulate_path_with(path, &Silent, Some(&mut log))?;
    let mut text = String::from(
        "quarter,bank,applicant,approved,region,family,amount,creditworthy,position,funded\n",
    );
    for d in &log {
        writeln!(
            text,
            "{},{},f{},{},{},{},{},{},{},{}",
            d.quarter,
            s.banks[d.bank as usize].id,
            d.firm,
            u8::from(d.approved),
            s.regions[d.region as usize].name,
            s.models.families[d.family as usize].name,
            d.amount,
            u8::from(d.creditworthy),
            d.position,
            u8::from(d.funded)
        )?;
    }
    std::fs::write(&out, text)?;
    println!("{} decisions written to {}", log.len(), out.display());
    println!(
        "quarter,engine_systemic_rejection_ratio,engine_decision_agreement,engine_agreement_excess"
    );
    for q in &result.quarters {
        println!(
            "{},{:.4},{:.4},{:.4}",
            q.quarter,
            q.systemic_rejection_ratio,
            q.decision_agreement,
            q.decision_agreement_excess
        );
    }
    Ok(())
}
