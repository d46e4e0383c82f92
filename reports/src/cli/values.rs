//! Parsers of command-line values (clap `value_parser`s): each value is read exactly (whole
//! numbers as integers, never through a double), checked against its range, and refused with
//! what is allowed. clap names the flag and quotes the value as typed:
//! `error: invalid value '9007199254740993' for '--seed <S>': a whole number from 0 to ...`
//! (exit 2), so a bad flag is never blamed on the scenario file.

use reports::service::{self, MAX_PATHS, MAX_SEED};

/// A whole number in `lo..=hi`, read exactly (`1e3`, `2.0` and `-1` are not whole numbers here).
fn whole(text: &str, lo: u64, hi: u64) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // More digits than fit in 64 bits: out of every range here.
    t.parse::<u64>().ok().filter(|x| (lo..=hi).contains(x))
}

/// `--seed`: 0 to [`MAX_SEED`].
pub(crate) fn seed(text: &str) -> Result<u64, String> {
    whole(text, 0, MAX_SEED).ok_or_else(service::seed_allowed)
}

/// `--paths`: 1 to [`MAX_PATHS`].
pub(crate) fn paths(text: &str) -> Result<u64, String> {
    whole(text, 1, MAX_PATHS).ok_or_else(service::paths_allowed)
}

/// A count of at least 1 (`--threads`, `--checkpoint-every`).
pub(crate) fn at_least_one(text: &str) -> Result<u64, String> {
    whole(text, 1, u64::MAX).ok_or_else(|| "a whole number, at least 1".to_string())
}

/// `--threads`: at least 1.
pub(crate) fn threads(text: &str) -> Result<usize, String> {
    at_least_one(text).and_then(|n| {
        usize::try_from(n).map_err(|_| format!("a whole number from 1 to {}", usize::MAX))
    })
}

/// `--max-memory`: checked here, kept as typed (the service reads it again).
pub(crate) fn memory(text: &str) -> Result<String, String> {
    service::parse_memory(text)
        .map(|_| text.to_string())
        .map_err(|_| service::MEMORY_ALLOWED.to_string())
}

/// The largest chart side in inches (20,000 pixels at the lowest resolution, 36 dpi, is 555
/// inches).
pub(crate) const MAX_INCHES: f64 = 500.0;

/// The chart resolutions `herdlab report` draws at, dots per inch.
pub(crate) const DPI: std::ops::RangeInclusive<f64> = 36.0..=1200.0;

/// A finite decimal number (`nan`, `inf` and `infinity` are refused).
fn finite(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `--width`, `--height`: inches, more than 0 and at most [`MAX_INCHES`].
pub(crate) fn inches(text: &str) -> Result<f64, String> {
    finite(text)
        .filter(|x| *x > 0.0 && *x <= MAX_INCHES)
        .ok_or_else(|| format!("inches, a number more than 0 and at most {MAX_INCHES}"))
}

/// `--dpi`: 36 to 1200.
pub(crate) fn dpi(text: &str) -> Result<f64, String> {
    finite(text).filter(|x| DPI.contains(x)).ok_or_else(|| {
        format!(
            "dots per inch, a number from {} to {}",
            DPI.start(),
            DPI.end()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_read_exactly_and_ranges_checked() {
        assert_eq!(seed("9007199254740991"), Ok(MAX_SEED));
        assert_eq!(seed("0"), Ok(0));
        for bad in [
            "9007199254740992",
            "18446744073709551616",
            "-1",
            "1e3",
            "2.0",
            "",
        ] {
            assert!(seed(bad).is_err(), "{bad}");
        }
        assert_eq!(paths("1000000000"), Ok(MAX_PATHS));
        for bad in ["0", "1000000001", "18446744073709551615", "nan"] {
            assert_eq!(paths(bad), Err(service::paths_allowed()), "{bad}");
        }
        assert_eq!(threads("2"), Ok(2));
        assert!(threads("0").is_err());
        assert_eq!(memory("1.5G"), Ok("1.5G".into()));
        assert!(memory("1e30T").is_err());
    }

    #[test]
    fn chart_sizes_are_finite_and_in_range() {
        assert_eq!(inches("6"), Ok(6.0));
        assert_eq!(dpi("250"), Ok(250.0));
        for bad in ["nan", "inf", "-inf", "0", "-1", "1e300", "501"] {
            assert!(inches(bad).is_err(), "{bad}");
        }
        for bad in ["nan", "35", "1201", "-1"] {
            assert!(dpi(bad).is_err(), "{bad}");
        }
    }
}
