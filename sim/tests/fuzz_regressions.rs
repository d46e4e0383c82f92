//! Replays every input in `fuzz/regressions/` (inputs the fuzzers once broke the engine with,
//! minimised) and the fuzzers' seed inputs through the fuzz targets' bodies
//! ([`sim::fuzzing`]), so that what fuzzing fixed stays fixed without a nightly toolchain.

use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"));
    v.sort();
    v
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn scenario_regressions_and_seeds_are_refused_or_run_without_panicking() {
    let mut files = inputs(&root().join("fuzz/regressions/scenario"));
    let seeds = inputs(&root().join("scenarios"));
    assert!(
        seeds.len() >= 8,
        "the bundled scenarios are the seed corpus"
    );
    files.extend(seeds);
    for f in files {
        let data = std::fs::read(&f).expect("read");
        eprintln!("{}", f.display());
        sim::fuzzing::scenario(&data);
    }
}

#[test]
fn data_file_regressions_and_seeds_are_refused_or_run_without_panicking() {
    let mut seeds: Vec<Vec<u8>> = inputs(&root().join("fuzz/regressions/data_file"))
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();
    let eba = std::fs::read(root().join("scenarios/data/eba2018_banks.csv")).expect("eba");
    for which in 0u8..3 {
        let mut with = vec![which];
        with.extend_from_slice(&eba);
        seeds.push(with);
        seeds.push(vec![which]);
    }
    seeds.push(b"\x02lender,B1,B2\nB1,0,5\nB2,5,0\n".to_vec());
    seeds.push(b"\x00id,equity,sme_loans,regions\nX1,10,100,north\n".to_vec());
    for s in seeds {
        sim::fuzzing::data_file(&s);
    }
}

#[test]
fn the_fuzz_bases_accept_good_files_so_fuzzing_starts_on_the_accepted_side() {
    use sim::scenario::{MapSources, Scenario};
    let s = Scenario::from_toml_str(sim::fuzzing::BASE, "fuzz/base.toml", &MapSources::default())
        .expect("BASE is a valid scenario");
    assert_eq!(s.banks.len(), 2);
    let ours = sim::fuzzing::load_data_file(0, "id,equity,sme_loans,regions\nX1,10,100,north\n")
        .expect("our bank format");
    assert_eq!(ours.banks.len(), 3);
    let matrix = sim::fuzzing::load_data_file(2, "lender,B1,B2\nB1,0,5\nB2,5,0\n")
        .expect("an exposure matrix");
    assert_eq!(matrix.banks.len(), 2);
    let eba =
        std::fs::read_to_string(root().join("scenarios/data/eba2018_banks.csv")).expect("eba");
    match sim::fuzzing::load_data_file(1, &eba) {
        Ok(s) => assert_eq!(s.banks.len(), 50),
        Err(e) => panic!("{e}"),
    }
    // The same files reached through a base file in another folder (issue 22).
    for (which, csv) in [(0u8, sim::fuzzing::BANKS_CSV), (1, eba.as_str())] {
        if let Err(e) = sim::fuzzing::load_data_file_through_base(which, csv) {
            panic!("{e}");
        }
    }
}
