//! Sweep parameters: a numeric scenario field named by its path (`models.similarity`,
//! `regions[0].firm_share`, `banks[2].equity`) and the values it takes (`0:1:11` or `0,1,2,3`),
//! and the grid of cells they span.

use std::fmt;

use sim::scenario::params::PARAMS;

use crate::error::{Error, Result};

/// One step of a parameter path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// A key of a table.
    Key(String),
    /// Element `i` of the array under a key.
    Index(String, usize),
}

/// A parameter path such as `models.families[1].error_scale`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamPath {
    text: String,
    segments: Vec<Segment>,
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ParamPath {
    /// Parses a dotted path with optional `[i]` indices.
    pub fn parse(text: &str) -> Result<ParamPath> {
        let bad = |message: String| Error::Sweep {
            spec: text.into(),
            message,
        };
        let mut segments = Vec::new();
        for part in text.split('.') {
            let seg = match part.split_once('[') {
                None => Segment::Key(part.to_string()),
                Some((key, rest)) => {
                    let idx = rest
                        .strip_suffix(']')
                        .and_then(|i| i.parse::<usize>().ok())
                        .ok_or_else(|| bad(format!("`{part}` is not of the form key[index]")))?;
                    Segment::Index(key.to_string(), idx)
                }
            };
            let key = match &seg {
                Segment::Key(k) | Segment::Index(k, _) => k,
            };
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(bad(format!(
                    "`{part}` is not a field name (letters, digits, `_`, `-`)"
                )));
            }
            segments.push(seg);
        }
        Ok(ParamPath {
            text: text.into(),
            segments,
        })
    }

    /// The path with indices replaced by `[]`, as in the parameter table of docs/scenario.md.
    fn generic(&self) -> Vec<String> {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Key(k) => k.clone(),
                Segment::Index(k, _) => format!("{k}[]"),
            })
            .collect()
    }

    /// Whether the engine's parameter table says this field must be a whole number.
    fn integer_by_table(&self) -> Option<bool> {
        let mut mine = self.generic();
        // Bank parameters are documented once as `bank.*` for `bank_defaults` and each bank.
        if mine.len() == 2 && (mine[0] == "bank_defaults" || mine[0] == "banks[]") {
            let as_bank = vec!["bank".to_string(), mine[1].clone()];
            if PARAMS.iter().any(|p| p.path == as_bank.join(".")) {
                mine = as_bank;
            }
        }
        PARAMS
            .iter()
            .find(|p| {
                let theirs: Vec<&str> = p.path.split('.').collect();
                theirs.len() == mine.len()
                    && theirs.iter().zip(&mine).all(|(t, m)| *t == "*" || t == m)
            })
            .map(|p| p.integer)
    }
}

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
        let path = ParamPath::parse(path.trim()).map_err(|e| match e {
            Error::Sweep { message, .. } => bad(message),
            other => other,
        })?;
        let values = parse_values(values).map_err(bad)?;
        let existing = lookup(table, &path).map_err(bad)?;
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

/// The value at `path`, if present; an error if the path runs through something that is not a
/// table or an array index is out of range.
fn lookup<'a>(
    table: &'a toml::Table,
    path: &ParamPath,
) -> std::result::Result<Option<&'a toml::Value>, String> {
    let mut current = table;
    let n = path.segments.len();
    for (i, seg) in path.segments.iter().enumerate() {
        let last = i + 1 == n;
        let value = match seg {
            Segment::Key(k) => match current.get(k) {
                Some(v) => v,
                None => return Ok(None),
            },
            Segment::Index(k, idx) => element(current, k, *idx)?,
        };
        if last {
            return Ok(Some(value));
        }
        match value {
            toml::Value::Table(t) => current = t,
            other => {
                return Err(format!(
                    "{} is a {}, not a table",
                    prefix(path, i),
                    other.type_str()
                ));
            }
        }
    }
    Ok(None)
}

fn prefix(path: &ParamPath, upto: usize) -> String {
    path.segments[..=upto]
        .iter()
        .map(|s| match s {
            Segment::Key(k) => k.clone(),
            Segment::Index(k, i) => format!("{k}[{i}]"),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn element<'a>(
    table: &'a toml::Table,
    key: &str,
    idx: usize,
) -> std::result::Result<&'a toml::Value, String> {
    match table.get(key) {
        Some(toml::Value::Array(a)) => a.get(idx).ok_or_else(|| {
            format!(
                "{key}[{idx}] does not exist: the scenario has {} entr{} in {key}",
                a.len(),
                if a.len() == 1 { "y" } else { "ies" }
            )
        }),
        Some(other) => Err(format!("{key} is a {}, not a list", other.type_str())),
        None => Err(format!(
            "{key}[{idx}] does not exist: the scenario has no {key}"
        )),
    }
}

/// Writes an assignment into a merged scenario table, creating missing tables on the way.
pub fn assign(table: &mut toml::Table, a: &Assignment) -> Result<()> {
    let bad = |message: String| Error::Sweep {
        spec: a.path.to_string(),
        message,
    };
    let mut current = table;
    let n = a.path.segments.len();
    for (i, seg) in a.path.segments.iter().enumerate() {
        let last = i + 1 == n;
        let slot: &mut toml::Value = match seg {
            Segment::Key(k) => {
                if last {
                    current.insert(k.clone(), a.value.clone());
                    return Ok(());
                }
                current
                    .entry(k.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            }
            Segment::Index(k, idx) => {
                element(current, k, *idx).map_err(bad)?;
                match current.get_mut(k) {
                    Some(toml::Value::Array(arr)) => match arr.get_mut(*idx) {
                        Some(v) => v,
                        None => return Err(bad(format!("{k}[{idx}] does not exist"))),
                    },
                    _ => return Err(bad(format!("{k} is not a list"))),
                }
            }
        };
        if last {
            *slot = a.value.clone();
            return Ok(());
        }
        match slot {
            toml::Value::Table(t) => current = t,
            other => {
                return Err(bad(format!(
                    "{} is a {}, not a table",
                    prefix(&a.path, i),
                    other.type_str()
                )));
            }
        }
    }
    Ok(())
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
