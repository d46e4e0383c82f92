//! Prints the measure tables of `docs/outputs.md` (per-path, then per-quarter).

fn main() {
    println!(
        "{}",
        reports::output::measure_table(sim::results::PathSummary::MEASURES)
    );
    println!(
        "{}",
        reports::output::measure_table(sim::results::QuarterRecord::MEASURES)
    );
}
