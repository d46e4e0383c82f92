//! Error type and shared input validation for the contagion modules.

use nalgebra::DMatrix;
use std::fmt;

/// Error returned by every fallible function in the contagion modules.
///
/// Every variant names the offending argument so that scenario authors can
/// find the bad input.
#[derive(Debug, Clone, PartialEq)]
pub enum ContagionError {
    /// A matrix that must be square is not.
    NotSquare {
        /// Name of the argument.
        argument: &'static str,
        /// Number of rows found.
        rows: usize,
        /// Number of columns found.
        cols: usize,
    },
    /// An argument has the wrong length (or a matrix the wrong dimension).
    DimensionMismatch {
        /// Name of the argument.
        argument: &'static str,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A value is out of its allowed domain (not finite, negative, outside
    /// `[0, 1]`, a non-zero diagonal entry, ...).
    InvalidValue {
        /// Argument and position, e.g. `liabilities[(2, 0)]` or `lgd`.
        argument: String,
        /// The offending value.
        value: f64,
        /// What the value must satisfy.
        requirement: &'static str,
    },
    /// The inputs are individually valid but jointly admit no solution.
    Infeasible {
        /// Human-readable explanation naming the argument / bank.
        message: String,
    },
    /// A linear system that theory says is regular turned out singular.
    SingularSystem {
        /// Human-readable explanation.
        message: String,
    },
    /// The caller asked to stop (its `stop` callback said so) before the computation finished.
    Cancelled,
}

impl fmt::Display for ContagionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContagionError::NotSquare {
                argument,
                rows,
                cols,
            } => write!(f, "`{argument}` must be square but is {rows}x{cols}"),
            ContagionError::DimensionMismatch {
                argument,
                expected,
                found,
            } => write!(
                f,
                "`{argument}` has length {found} but {expected} was expected"
            ),
            ContagionError::InvalidValue {
                argument,
                value,
                requirement,
            } => write!(f, "`{argument}` = {value} is invalid: {requirement}"),
            ContagionError::Infeasible { message } => write!(f, "infeasible input: {message}"),
            ContagionError::SingularSystem { message } => {
                write!(f, "singular linear system: {message}")
            }
            ContagionError::Cancelled => write!(f, "stopped on request"),
        }
    }
}

impl std::error::Error for ContagionError {}

/// Builds an [`ContagionError::InvalidValue`].
pub(crate) fn invalid(argument: String, value: f64, requirement: &'static str) -> ContagionError {
    ContagionError::InvalidValue {
        argument,
        value,
        requirement,
    }
}

/// Checks that `m` is square and returns its dimension.
pub(crate) fn check_square(
    argument: &'static str,
    m: &DMatrix<f64>,
) -> Result<usize, ContagionError> {
    if m.nrows() != m.ncols() {
        return Err(ContagionError::NotSquare {
            argument,
            rows: m.nrows(),
            cols: m.ncols(),
        });
    }
    Ok(m.nrows())
}

/// Checks that a slice has the expected length.
pub(crate) fn check_len(
    argument: &'static str,
    found: usize,
    expected: usize,
) -> Result<(), ContagionError> {
    if found != expected {
        return Err(ContagionError::DimensionMismatch {
            argument,
            expected,
            found,
        });
    }
    Ok(())
}

/// Checks that every entry is finite and `>= 0`; optionally that the diagonal is zero.
pub(crate) fn check_matrix_nonneg(
    argument: &'static str,
    m: &DMatrix<f64>,
    zero_diagonal: bool,
) -> Result<(), ContagionError> {
    // Fast path: one pass in storage (column-major) order; only a bad matrix is scanned again,
    // row by row, to name its first bad cell in reading order.
    let good = m.as_slice().iter().all(|&v| v.is_finite() && v >= 0.0)
        && (!zero_diagonal || (0..m.nrows().min(m.ncols())).all(|i| m[(i, i)] == 0.0));
    if good {
        return Ok(());
    }
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            let v = m[(i, j)];
            if !v.is_finite() || v < 0.0 {
                return Err(invalid(
                    format!("{argument}[({i}, {j})]"),
                    v,
                    "must be finite and >= 0",
                ));
            }
            if zero_diagonal && i == j && v != 0.0 {
                return Err(invalid(
                    format!("{argument}[({i}, {j})]"),
                    v,
                    "diagonal entries must be 0 (a bank cannot lend to itself)",
                ));
            }
        }
    }
    Ok(())
}

/// Checks that every entry is finite.
pub(crate) fn check_finite(argument: &'static str, v: &[f64]) -> Result<(), ContagionError> {
    for (i, &x) in v.iter().enumerate() {
        if !x.is_finite() {
            return Err(invalid(format!("{argument}[{i}]"), x, "must be finite"));
        }
    }
    Ok(())
}

/// Checks that every entry is finite and `>= 0`.
pub(crate) fn check_nonneg(argument: &'static str, v: &[f64]) -> Result<(), ContagionError> {
    for (i, &x) in v.iter().enumerate() {
        if !x.is_finite() || x < 0.0 {
            return Err(invalid(
                format!("{argument}[{i}]"),
                x,
                "must be finite and >= 0",
            ));
        }
    }
    Ok(())
}

/// Checks that every entry lies in `[0, 1]`.
pub(crate) fn check_unit_vec(argument: &'static str, v: &[f64]) -> Result<(), ContagionError> {
    for (i, &x) in v.iter().enumerate() {
        if !(0.0..=1.0).contains(&x) {
            return Err(invalid(format!("{argument}[{i}]"), x, "must lie in [0, 1]"));
        }
    }
    Ok(())
}

/// Checks that a scalar lies in `[0, 1]`.
pub(crate) fn check_unit(argument: &'static str, x: f64) -> Result<(), ContagionError> {
    if !(0.0..=1.0).contains(&x) {
        return Err(invalid(argument.to_string(), x, "must lie in [0, 1]"));
    }
    Ok(())
}
