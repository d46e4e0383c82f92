//! Collecting validation problems: the [`Checker`] that checks numbers against the parameter
//! table and gathers every problem found, and [`fmt_num`] for writing values back as in a file.

use super::params::param;
use crate::error::Problem;

/// Collects problems while validating.
pub(crate) struct Checker {
    pub(crate) problems: Vec<Problem>,
}

impl Checker {
    pub(crate) fn new() -> Self {
        Checker {
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(
        &mut self,
        path: impl Into<String>,
        value: impl Into<String>,
        allowed: impl Into<String>,
    ) {
        self.problems.push(Problem {
            path: path.into(),
            value: value.into(),
            allowed: allowed.into(),
        });
    }

    /// A number checked against the parameter `spec` (a path in
    /// [`PARAMS`](super::params::PARAMS)), reported at `at`. Missing values take the default; a
    /// missing required value is a problem. Invalid values are reported and replaced by the
    /// default (or the range's lower bound) so that validation can go on and report the rest.
    pub(crate) fn num(&mut self, spec: &str, at: &str, v: Option<f64>) -> f64 {
        let p = param(spec);
        let fallback = p.default.unwrap_or(if p.range.min.is_finite() {
            p.range.min
        } else {
            0.0
        });
        match v {
            None => {
                if p.default.is_none() {
                    self.problem(
                        at,
                        "(missing)",
                        format!("required, {} in {}", p.unit, p.range.describe()),
                    );
                }
                fallback
            }
            Some(x) if !p.range.contains(x) => {
                self.problem(
                    at,
                    fmt_num(x),
                    format!("must be in {} ({})", p.range.describe(), p.unit),
                );
                fallback
            }
            Some(x) => x,
        }
    }

    /// A number with a default taken from elsewhere (a bank parameter inherited from defaults).
    pub(crate) fn num_or(&mut self, spec: &str, at: &str, v: Option<f64>, default: f64) -> f64 {
        match v {
            None => default,
            Some(_) => self.num(spec, at, v),
        }
    }

    /// A whole number checked against `spec`, exactly: `9007199254740993` is compared and
    /// reported as written, not as the nearest double (`9007199254740992`).
    pub(crate) fn int(&mut self, spec: &str, at: &str, v: Option<i64>) -> i64 {
        let p = param(spec);
        debug_assert!(p.integer);
        match v {
            Some(x) if !whole_in(&p.range, x) => {
                self.problem(
                    at,
                    x.to_string(),
                    format!("must be in {} ({})", p.range.describe(), p.unit),
                );
                let fallback = p.default.unwrap_or(if p.range.min.is_finite() {
                    p.range.min
                } else {
                    0.0
                });
                fallback as i64
            }
            _ => self.num(spec, at, v.map(|x| x as f64)) as i64,
        }
    }
}

/// Whether the whole number `x` lies in `range`, compared exactly (the bounds are doubles; their
/// floor and ceiling are whole numbers, held exactly in `i128`, infinite bounds saturating).
fn whole_in(range: &super::params::Range, x: i64) -> bool {
    let x = i128::from(x);
    let lo = if range.min_inclusive {
        x >= range.min.ceil() as i128
    } else {
        x > range.min.floor() as i128
    };
    let hi = if range.max_inclusive {
        x <= range.max.floor() as i128
    } else {
        x < range.max.ceil() as i128
    };
    lo && hi
}

/// Formats a number as it would be written in a file.
pub(crate) fn fmt_num(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else if x.abs() >= 1e12 {
        // The shorter of the two forms: `1e308`, not a 309-digit integer; but `9007199254740991`,
        // not `9.007199254740991e15`.
        let (plain, exp) = (format!("{x}"), format!("{x:e}"));
        if exp.len() < plain.len() { exp } else { plain }
    } else {
        format!("{x}")
    }
}
