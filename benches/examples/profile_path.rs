//! Runs paths of a bundled scenario on one thread, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile_path bench-standard.toml 2`.

use anyhow::{Context, Result};
use herdlab_benches::bundled;
use sim::model::Model;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "bench-standard.toml".into());
    let paths: u64 = args.next().map_or(Ok(2), |p| p.parse()).context("paths")?;
    let s = bundled(&name)?;
    let model = Model::new(&s)?;
    let mut defaults = 0.0;
    for p in 0..paths {
        let r = model.simulate_path(p)?;
        defaults += r.summary.firm_defaults;
    }
    println!("{paths} paths of {name}: {defaults} firm defaults");
    Ok(())
}
