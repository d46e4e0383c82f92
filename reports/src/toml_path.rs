//! Places in a scenario's TOML table named by a path such as `models.families[1].error_scale`:
//! parsing the path, reading the value there, writing or removing it. The one implementation used
//! by command-line overrides, sweep parameters (`--vary`) and the desktop app's editor. Also the
//! list of keys whose values name data files ([`DATA_FILE_KEYS`], re-exported from
//! `sim::scenario`, which owns the format).

use std::fmt;

use sim::scenario::params::{self, PARAMS};

/// The keys whose values name data files, and a walk over their values: owned by the scenario
/// format in the engine (`sim::scenario`), re-exported here beside the other path helpers.
pub use sim::scenario::{DATA_FILE_KEYS, for_each_data_file};

/// One step of a parameter path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// Element `i` of the array under a key.
    Index(String, usize),
}

impl Segment {
    /// The key of the table this step reads.
    pub fn key(&self) -> &str {
        match self {
            Segment::Key(k) | Segment::Index(k, _) => k,
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(k) => f.write_str(k),
            Segment::Index(k, i) => write!(f, "{k}[{i}]"),
        }
    }
}

/// A path to a value of a scenario table, such as `models.families[1].error_scale`.
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

/// A path that cannot be parsed, or a place a path names that does not fit the table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PathError {
    /// The path as written.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ParamPath {
    /// Parses a dotted path with optional `[i]` indices; keys are letters, digits, `_` and `-`.
    pub fn parse(text: &str) -> Result<ParamPath, PathError> {
        let bad = |message: String| PathError {
            path: text.into(),
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
            let key = seg.key();
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

    /// A path from its steps, for keys that [`ParamPath::parse`] would refuse (names of regions
    /// or families used as keys). Its text joins the steps with `.`.
    pub fn from_segments(segments: Vec<Segment>) -> ParamPath {
        let text = segments
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(".");
        ParamPath { text, segments }
    }

    /// The steps of the path.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
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

    /// Whether the engine's parameter table says this field must be a whole number (`None`
    /// when the table does not list it).
    pub fn integer_by_table(&self) -> Option<bool> {
        let mut mine = self.generic();
        // Bank parameters are documented once as `bank.*` for `bank_defaults` and each bank.
        if mine.len() == 2 && (mine[0] == "bank_defaults" || mine[0] == "banks[]") {
            let as_bank = vec!["bank".to_string(), mine[1].clone()];
            if params::find(&as_bank.join(".")).is_some() {
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

    fn error(&self, message: String) -> PathError {
        PathError {
            path: self.text.clone(),
            message,
        }
    }

    /// The path up to and including step `upto`.
    fn prefix(&self, upto: usize) -> String {
        self.segments[..=upto]
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }
}

fn element<'a>(table: &'a toml::Table, key: &str, idx: usize) -> Result<&'a toml::Value, String> {
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

/// The value at `path`, if present; an error if the path runs through something that is not a
/// table, or an array index is out of range.
pub fn lookup<'a>(
    table: &'a toml::Table,
    path: &ParamPath,
) -> Result<Option<&'a toml::Value>, PathError> {
    let mut current = table;
    let n = path.segments.len();
    for (i, seg) in path.segments.iter().enumerate() {
        let value = match seg {
            Segment::Key(k) => match current.get(k) {
                Some(v) => v,
                None => return Ok(None),
            },
            Segment::Index(k, idx) => element(current, k, *idx).map_err(|m| path.error(m))?,
        };
        if i + 1 == n {
            return Ok(Some(value));
        }
        match value {
            toml::Value::Table(t) => current = t,
            other => {
                return Err(path.error(format!(
                    "{} is a {}, not a table",
                    path.prefix(i),
                    other.type_str()
                )));
            }
        }
    }
    Ok(None)
}

/// The value at `path`, or `None` when anything on the way is missing or of another kind.
pub fn get<'a>(table: &'a toml::Table, path: &ParamPath) -> Option<&'a toml::Value> {
    lookup(table, path).ok().flatten()
}

/// Writes `value` at `path`, creating missing tables on the way; list elements must exist.
pub fn set(table: &mut toml::Table, path: &ParamPath, value: toml::Value) -> Result<(), PathError> {
    let mut current = table;
    let n = path.segments.len();
    for (i, seg) in path.segments.iter().enumerate() {
        let last = i + 1 == n;
        let slot: &mut toml::Value = match seg {
            Segment::Key(k) => {
                if last {
                    current.insert(k.clone(), value);
                    return Ok(());
                }
                current
                    .entry(k.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            }
            Segment::Index(k, idx) => {
                element(current, k, *idx).map_err(|m| path.error(m))?;
                match current.get_mut(k) {
                    Some(toml::Value::Array(arr)) => match arr.get_mut(*idx) {
                        Some(v) => v,
                        None => return Err(path.error(format!("{k}[{idx}] does not exist"))),
                    },
                    _ => return Err(path.error(format!("{k} is not a list"))),
                }
            }
        };
        if last {
            *slot = value;
            return Ok(());
        }
        match slot {
            toml::Value::Table(t) => current = t,
            other => {
                return Err(path.error(format!(
                    "{} is a {}, not a table",
                    path.prefix(i),
                    other.type_str()
                )));
            }
        }
    }
    Ok(())
}

/// Removes the value at `path` (the field falls back to its inherited or default value). A path
/// whose tables are missing has nothing to remove; a list element cannot be removed this way.
pub fn remove(table: &mut toml::Table, path: &ParamPath) -> Result<(), PathError> {
    let Some((last, parents)) = path.segments.split_last() else {
        return Ok(());
    };
    let Segment::Key(key) = last else {
        return Err(path.error("a list element cannot be left empty".into()));
    };
    let mut current = table;
    for (i, seg) in parents.iter().enumerate() {
        let next = match seg {
            Segment::Key(k) => current.get_mut(k),
            Segment::Index(k, idx) => match current.get_mut(k) {
                Some(toml::Value::Array(a)) => a.get_mut(*idx),
                _ => None,
            },
        };
        match next {
            None => return Ok(()),
            Some(toml::Value::Table(t)) => current = t,
            Some(other) => {
                return Err(path.error(format!(
                    "{} is a {}, not a table",
                    path.prefix(i),
                    other.type_str()
                )));
            }
        }
    }
    current.remove(key);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> toml::Table {
        toml::from_str(
            r#"
            [run]
            quarters = 12
            [[regions]]
            name = "east"
            firm_share = 1.0
            [[bank_files]]
            path = "a.csv"
            [[bank_files]]
            path = "b.csv"
            [contagion.interbank.network]
            path = "net.csv"
            "#,
        )
        .expect("toml")
    }

    fn p(text: &str) -> ParamPath {
        ParamPath::parse(text).expect("a path")
    }

    #[test]
    fn paths_read_write_and_remove_values() {
        let mut t = table();
        assert_eq!(
            get(&t, &p("regions[0].firm_share")),
            Some(&toml::Value::Float(1.0))
        );
        assert_eq!(get(&t, &p("run.seed")), None);
        set(&mut t, &p("rates.shock.size"), toml::Value::Float(2.0)).expect("tables created");
        assert_eq!(t["rates"]["shock"]["size"], toml::Value::Float(2.0));
        remove(&mut t, &p("rates.shock.size")).expect("removed");
        assert_eq!(get(&t, &p("rates.shock.size")), None);
        remove(&mut t, &p("nothing.here.at_all")).expect("nothing to remove");
        let e = set(&mut t, &p("regions[2].firm_share"), toml::Value::Float(0.5))
            .expect_err("no third region");
        assert!(e.to_string().contains("regions[2] does not exist"), "{e}");
        let e = lookup(&t, &p("run.quarters.x")).expect_err("not a table");
        assert!(e.message.contains("run.quarters is a integer"), "{e}");
        assert!(remove(&mut t, &p("regions[0]")).is_err());
    }

    #[test]
    fn paths_from_segments_allow_any_key() {
        let path = ParamPath::from_segments(vec![
            Segment::Index("regions".into(), 0),
            Segment::Key("north east".into()),
        ]);
        assert_eq!(path.to_string(), "regions[0].north east");
        let mut t = table();
        set(&mut t, &path, toml::Value::Integer(3)).expect("written");
        assert_eq!(t["regions"][0]["north east"], toml::Value::Integer(3));
        assert!(ParamPath::parse("regions[0].north east").is_err());
    }

    #[test]
    fn every_data_file_is_visited_in_order() {
        let mut t = table();
        let mut seen = Vec::new();
        for_each_data_file(&mut t, |v| {
            seen.push(v.as_str().unwrap_or_default().to_string());
            *v = toml::Value::String("x".into());
            Ok::<(), ()>(())
        })
        .expect("visited");
        assert_eq!(seen, ["a.csv", "b.csv", "net.csv"]);
        assert_eq!(t["bank_files"][1]["path"], toml::Value::String("x".into()));
    }
}
