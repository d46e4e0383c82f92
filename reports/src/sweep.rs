//! Sweep parameters: a numeric scenario field named by its path (`models.similarity`,
//! `regions[0].firm_share`, `banks[2].equity`) and the values it takes (`0:1:11` or `0,1,2,3`),
//! and the grid of cells they span.

use std::fmt;

use crate::error::{Error, Result};
pub use crate::toml_path::ParamPath;
use crate::toml_path::{self, PathError};

/// One parameter of a sweep and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// The parameter.
    pub path: ParamPath,
    /// Its values, in order.
    pub values: Vec<f64>,
    /// Whether it is written as a TOML integer.
    pub integer: bool,
}

/// A value given to a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// The parameter.
    pub path: ParamPath,
    /// The value, as written into the scenario.
    pub value: toml::Value,
}

impl Assignment {
    /// A number for `path`, an integer if `integer`.
    pub fn number(path: ParamPath, x: f64, integer: bool) -> Assignment {
        let value = if integer {
            toml::Value::Integer(x as i64)
        } else {
            toml::Value::Float(x)
        };
        Assignment { path, value }
    }
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.path, self.value)
    }
}

/// Parses a value list: `a:b:n` (n evenly spaced points from a to b inclusive) or `x,y,z`.
pub fn parse_values(text: &str) -> std::result::Result<Vec<f64>, String> {
    let num = |s: &str| -> std::result::Result<f64, String> {
        let x: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{}` is not a number", s.trim()))?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(format!("`{}` is not a finite number", s.trim()))
        }
    };
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [a, b, n] => {
            let (a, b) = (num(a)?, num(b)?);
            let n: usize = n.trim().parse().map_err(|_| {
                format!(
                    "`{}` is not a count of points (a:b:n wants a whole n of at least 1)",
                    n.trim()
                )
            })?;
            match n {
                0 => Err("a:b:n needs at least 1 point".into()),
                1 => Ok(vec![a]),
                _ => Ok((0..n)
                    .map(|i| {
                        if i + 1 == n {
                            b
                        } else {
                            a + (b - a) * i as f64 / (n - 1) as f64
                        }
                    })
                    .collect()),
            }
        }
        [list] => list.split(',').map(num).collect(),
        _ => Err("values are either a:b:n or a comma-separated list".into()),
    }
}

impl Vary {
    /// Parses `PATH=VALUES`, checking the path against `table` (the merged scenario).
    pub fn parse(spec: &str, table: &toml::Table) -> Result<Vary> {
        let bad = |message: String| Error::Sweep {
            spec: spec.into(),
            message,
        };
        let (path, values) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected PATH=VALUES, e.g. models.similarity=0:1:11".into()))?;
        let path = ParamPath::parse(path.trim()).map_err(|e| bad(e.message))?;
        let values = parse_values(values).map_err(bad)?;
        let existing = toml_path::lookup(table, &path).map_err(|e: PathError| bad(e.message))?;
        let integer = match (path.integer_by_table(), existing) {
            (Some(i), _) => i,
            (None, Some(toml::Value::Integer(_))) => true,
            (None, Some(toml::Value::Float(_))) => false,
            (None, Some(other)) => {
                return Err(bad(format!(
                    "{path} is a {}, not a number",
                    other.type_str()
                )));
            }
            (None, None) => {
                return Err(bad(format!(
                    "{path} is not a numeric scenario parameter (see docs/scenario.md)"
                )));
            }
        };
        if integer && let Some(x) = values.iter().find(|x| x.fract() != 0.0) {
            return Err(bad(format!(
                "{path} takes whole numbers, and {x} is not one"
            )));
        }
        // Check the path can be written (indices in range, tables where tables are).
        let mut probe = table.clone();
        assign(
            &mut probe,
            &Assignment::number(path.clone(), values[0], integer),
        )
        .map_err(|e| match e {
            Error::Sweep { message, .. } => bad(message),
            other => other,
        })?;
        Ok(Vary {
            path,
            values,
            integer,
        })
    }
}

/// Writes an assignment into a merged scenario table, creating missing tables on the way.
pub fn assign(table: &mut toml::Table, a: &Assignment) -> Result<()> {
    Ok(toml_path::set(table, &a.path, a.value.clone())?)
}

/// Every cell of the grid: one assignment per parameter, the first parameter varying slowest.
pub fn grid(vary: &[Vary]) -> Vec<Vec<Assignment>> {
    let mut cells: Vec<Vec<Assignment>> = vec![Vec::new()];
    for v in vary {
        let mut next = Vec::with_capacity(cells.len() * v.values.len());
        for cell in &cells {
            for &x in &v.values {
                let mut c = cell.clone();
                c.push(Assignment::number(v.path.clone(), x, v.integer));
                next.push(c);
            }
        }
        cells = next;
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> toml::Table {
        toml::from_str(
            r#"
            [run]
            quarters = 12
            [models]
            similarity = 0.3
            [[models.families]]
            name = "a"
            error_scale = 0.5
            [[regions]]
            name = "east"
            firm_share = 1.0
            "#,
        )
        .expect("toml")
    }

    #[test]
    fn value_lists_and_ranges() {
        assert_eq!(parse_values("0:1:3"), Ok(vec![0.0, 0.5, 1.0]));
        assert_eq!(parse_values("0,1,2.5"), Ok(vec![0.0, 1.0, 2.5]));
        assert_eq!(parse_values("2:9:1"), Ok(vec![2.0]));
        let r = parse_values("0:0.3:11").expect("range");
        assert_eq!(r.len(), 11);
        assert_eq!(r[10], 0.3);
        assert!(parse_values("0:1:0").is_err());
        assert!(parse_values("a,b").is_err());
        assert!(parse_values("1:2").is_err());
        assert!(parse_values("nan").is_err());
    }

    #[test]
    fn paths_are_checked_and_typed() {
        let t = table();
        let v = Vary::parse("models.similarity=0:1:3", &t).expect("ok");
        assert!(!v.integer);
        let v = Vary::parse("run.quarters=4,8", &t).expect("ok");
        assert!(v.integer);
        assert!(Vary::parse("run.quarters=4.5", &t).is_err());
        let v = Vary::parse("models.families[0].error_scale=0.1,0.2", &t).expect("ok");
        assert!(!v.integer);
        let e = Vary::parse("regions[3].firm_share=1", &t).expect_err("out of range");
        assert!(e.to_string().contains("regions[3]"), "{e}");
        let e = Vary::parse("models.colour=1", &t).expect_err("unknown");
        assert!(e.to_string().contains("models.colour"), "{e}");
        let e = Vary::parse("models.similarity", &t).expect_err("no values");
        assert!(e.to_string().contains("PATH=VALUES"), "{e}");
        // Absent but documented parameters may be set; missing tables are created.
        let v = Vary::parse("rates.shock.size=0,1", &t).expect("ok");
        let mut t2 = t.clone();
        assign(&mut t2, &grid(&[v])[1][0]).expect("assign");
        assert_eq!(
            t2["rates"]["shock"]["size"],
            toml::Value::Float(1.0),
            "{t2:?}"
        );
    }

    #[test]
    fn grids_vary_the_first_parameter_slowest() {
        let t = table();
        let a = Vary::parse("models.similarity=0,1", &t).expect("a");
        let b = Vary::parse("run.quarters=4,8,12", &t).expect("b");
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[1][0].value, toml::Value::Float(0.0));
        assert_eq!(g[1][1].value, toml::Value::Integer(8));
        assert_eq!(g[3][0].value, toml::Value::Float(1.0));
    }
}
