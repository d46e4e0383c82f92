//! Memory does not grow with the rows of a log: a log ten times longer, with the same applicants
//! per quarter, holds exactly the same largest working state (the crate's own accounting).

use std::io::{BufWriter, Write};
use std::path::Path;

use monitor::{Request, Settings, run};

const APPLICANTS: u32 = 500;
const BANKS: u32 = 4;

/// `quarters` quarters of 500 applicants, each asking all 4 banks (2 000 rows a quarter).
fn write_log(path: &Path, quarters: u32) {
    let mut w = BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(w, "quarter,bank,applicant,approved,creditworthy").expect("write");
    for q in 1..=quarters {
        for j in 0..APPLICANTS {
            for b in 0..BANKS {
                let approved = (j * 7 + b * 3 + q) % 5 < 3;
                writeln!(w, "{q},bank{b},f{j},{},{}", u8::from(approved), j % 3 > 0)
                    .expect("write");
            }
        }
    }
    w.flush().expect("flush");
}

#[test]
fn the_largest_state_held_does_not_grow_with_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        resamples: 0,
        ..Settings::default()
    };
    let mut peaks = Vec::new();
    for quarters in [100, 1000] {
        let path = dir.path().join(format!("log{quarters}.csv"));
        write_log(&path, quarters);
        let r = run(&Request {
            log: path,
            settings: settings.clone(),
        })
        .expect("run");
        assert_eq!(r.rows, u64::from(quarters * APPLICANTS * BANKS));
        assert_eq!(r.quarters.len(), quarters as usize);
        peaks.push(r.peak_state_bytes);
    }
    // 200 000 and 2 000 000 rows: the same state, and within 100 bytes a row of one quarter.
    assert_eq!(peaks[0], peaks[1], "{peaks:?}");
    let per_quarter_rows = u64::from(APPLICANTS * BANKS);
    assert!(peaks[1] < 100 * per_quarter_rows, "{peaks:?}");
    assert!(
        peaks[1] > 32 * per_quarter_rows,
        "the accounting counts the rows: {peaks:?}"
    );
}
