//! Reading a scenario file into one TOML table: the `base` chain merged ([`load_table`],
//! [`merge_tables`]), data-file paths ([`DATA_FILE_KEYS`]) resolved against the file that names
//! them, and parse errors located at their file's line, column and field.

use std::path::Path;

use super::raw::RawScenario;
use super::{Scenario, Sources};
use crate::error::{Error, Location, Result};

/// Deep-merges `over` onto `base`: tables merge key by key; anything else in `over` replaces.
pub fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// The keys whose values name data files, relative to the file that names them (`[]`: every
/// element of the list). The engine reads these files through its [`Sources`]; loading resolves
/// them against the directory of the file that names them, and a scenario saved elsewhere must
/// point them to the right place.
pub const DATA_FILE_KEYS: [&str; 2] = ["bank_files[].path", "contagion.interbank.network.path"];

/// Calls `f` on every value of `table` that names a data file ([`DATA_FILE_KEYS`]), in the order
/// of that list and of the list elements.
pub fn for_each_data_file<E>(
    table: &mut toml::Table,
    mut f: impl FnMut(&mut toml::Value) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    for key in DATA_FILE_KEYS {
        visit(table, &key.split('.').collect::<Vec<_>>(), &mut f)?;
    }
    Ok(())
}

/// Calls `f` on the values at the key path `parts` (a part ending in `[]` runs through every
/// element of a list) below `table`; parts that are missing or of another type are skipped.
fn visit<E>(
    table: &mut toml::Table,
    parts: &[&str],
    f: &mut impl FnMut(&mut toml::Value) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let Some((first, rest)) = parts.split_first() else {
        return Ok(());
    };
    match (first.strip_suffix("[]"), rest.is_empty()) {
        (Some(list), _) => {
            if let Some(toml::Value::Array(items)) = table.get_mut(list) {
                for item in items {
                    match (item, rest.is_empty()) {
                        (v, true) => f(v)?,
                        (toml::Value::Table(t), false) => visit(t, rest, f)?,
                        _ => {}
                    }
                }
            }
        }
        (None, true) => {
            if let Some(v) = table.get_mut(*first) {
                f(v)?;
            }
        }
        (None, false) => {
            if let Some(toml::Value::Table(t)) = table.get_mut(*first) {
                visit(t, rest, f)?;
            }
        }
    }
    Ok(())
}

/// Makes the data-file paths a table names ([`DATA_FILE_KEYS`]) relative to `dir`, the directory
/// of the file that names them, so that they stay right when the table is merged into another
/// file's.
fn resolve_paths(table: &mut toml::Table, dir: &Path) {
    let resolved = for_each_data_file(table, |v| {
        if let toml::Value::String(p) = v {
            *p = dir.join(&*p).display().to_string();
        }
        Ok::<(), std::convert::Infallible>(())
    });
    resolved.unwrap_or_else(|never| match never {});
}

/// Reads `path` and every file it names as `base`, merged, as one TOML table. Data-file paths
/// in each file are resolved against that file's directory.
pub fn load_table(path: &Path, sources: &dyn Sources) -> Result<toml::Table> {
    load_chain(path, None, sources)
}

/// [`load_table`] of a file that `named_by` names as its `base`; errors in it say so.
fn load_chain(path: &Path, named_by: Option<&str>, sources: &dyn Sources) -> Result<toml::Table> {
    let mut chain = vec![path.to_path_buf()];
    let mut tables = Vec::new();
    let mut current = path.to_path_buf();
    let mut parent: Option<String> = named_by.map(str::to_string);
    loop {
        let file = match &parent {
            Some(p) => format!("{} (named by {p} base)", current.display()),
            None => current.display().to_string(),
        };
        let text = sources.read(&current).map_err(|source| Error::Read {
            file: file.clone(),
            source,
        })?;
        let mut table = parse_file(&text, &file)?;
        resolve_paths(&mut table, current.parent().unwrap_or(Path::new("")));
        let base = match table.get("base") {
            None => None,
            Some(toml::Value::String(b)) => Some(b.clone()),
            Some(other) => {
                return Err(Error::Parse {
                    file,
                    message: format!(
                        "base = {other}: must be a string naming another scenario file"
                    ),
                    at: None,
                });
            }
        };
        tables.push(table);
        match base {
            None => break,
            Some(b) => {
                let dir = current.parent().unwrap_or(Path::new(""));
                let next = dir.join(b);
                if chain.contains(&next) || chain.len() > 16 {
                    return Err(Error::Parse {
                        file,
                        message: format!(
                            "base = {:?}: files name each other in a loop (or nest deeper than 16)",
                            next.display().to_string()
                        ),
                        at: None,
                    });
                }
                chain.push(next.clone());
                parent = Some(current.display().to_string());
                current = next;
            }
        }
    }
    let mut merged = toml::Table::new();
    for t in tables.into_iter().rev() {
        merge_tables(&mut merged, t);
    }
    merged.remove("base");
    Ok(merged)
}

/// Parses one scenario file's own text: TOML syntax, then the types and names of its values
/// against the scenario format, so that an error points at this file's line and column (not at a
/// merged, re-serialised table) and names the field. Every field of the format is optional, so a
/// partial file (a `base`, or a child overriding a few values) passes the type check.
fn parse_file(text: &str, file: &str) -> Result<toml::Table> {
    let table: toml::Table = toml::from_str(text).map_err(|e| parse_error(&e, text, file))?;
    toml::from_str::<RawScenario>(text).map_err(|e| parse_error(&e, text, file))?;
    Ok(table)
}

/// A parse error of `text` (the file `file`), located with its field path when it is about one
/// value.
fn parse_error(e: &toml::de::Error, text: &str, file: &str) -> Error {
    Error::Parse {
        file: file.into(),
        message: toml_message(e),
        at: e.span().and_then(|span| locate(text, span.start)),
    }
}

/// The line, column and field path of byte offset `pos` of `text`: the field whose key or value
/// is the smallest span around `pos`.
fn locate(text: &str, pos: usize) -> Option<Location> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut best: Option<(usize, String)> = None;
    fields_at(doc.get_ref(), pos, "", &mut best);
    let (_, field) = best?;
    let before = text.get(..pos)?;
    Some(Location {
        line: before.matches('\n').count() + 1,
        column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
        field,
    })
}

fn fields_at(
    table: &toml::de::DeTable<'_>,
    pos: usize,
    prefix: &str,
    best: &mut Option<(usize, String)>,
) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        value_at(&path, Some(k.span()), v, pos, best);
    }
}

fn value_at(
    path: &str,
    key: Option<std::ops::Range<usize>>,
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    pos: usize,
    best: &mut Option<(usize, String)>,
) {
    for span in key.into_iter().chain([v.span()]) {
        if span.contains(&pos) && best.as_ref().is_none_or(|(len, _)| span.len() <= *len) {
            *best = Some((span.len(), path.to_string()));
        }
    }
    match v.get_ref() {
        toml::de::DeValue::Table(t) => fields_at(t, pos, path, best),
        toml::de::DeValue::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                value_at(&format!("{path}[{i}]"), None, x, pos, best);
            }
        }
        _ => {}
    }
}

/// Longest line of a parse message; the parser quotes the offending source line, which in a
/// hostile or generated file can be megabytes long.
const MESSAGE_LINE_MAX: usize = 160;

/// The message with every float quoted by serde (`floating point \`1000...0\``, written out in
/// full) in exponent form when it has 17 or more digits: `floating point \`1e308\``.
fn short_floats(message: &str) -> String {
    const QUOTE: &str = "floating point `";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(QUOTE) {
        let (head, tail) = rest.split_at(i + QUOTE.len());
        out.push_str(head);
        let end = tail.find('`').unwrap_or(tail.len());
        let (number, after) = tail.split_at(end);
        match number.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() >= 1e16 => out.push_str(&format!("{x:e}")),
            _ => out.push_str(number),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The message of a TOML error, with every line cut to [`MESSAGE_LINE_MAX`] characters.
fn toml_message(e: &toml::de::Error) -> String {
    short_floats(&e.to_string())
        .trim_end()
        .replace("\n\n", "\n")
        .lines()
        .map(|l| {
            if l.chars().count() > MESSAGE_LINE_MAX {
                let cut: String = l.chars().take(MESSAGE_LINE_MAX).collect();
                format!("{cut}…")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Scenario {
    /// Loads and validates a scenario file (with its `base` chain and data files).
    pub fn load(path: &Path, sources: &dyn Sources) -> Result<Scenario> {
        let table = load_table(path, sources)?;
        let file = path.display().to_string();
        let raw = raw_from_table(table, &file)?;
        Scenario::from_raw(&raw, &file, Path::new(""), sources)
    }

    /// Parses and validates scenario text. `file` names it in errors and sets the directory data
    /// files are relative to. A `base` field is honoured through `sources`.
    pub fn from_toml_str(text: &str, file: &str, sources: &dyn Sources) -> Result<Scenario> {
        let mut table = parse_file(text, file)?;
        let dir = Path::new(file)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        resolve_paths(&mut table, &dir);
        let table = match table.get("base") {
            Some(toml::Value::String(b)) => {
                let mut merged = load_chain(&dir.join(b), Some(file), sources)?;
                let mut own = table;
                own.remove("base");
                merge_tables(&mut merged, own);
                merged
            }
            _ => table,
        };
        let raw = raw_from_table(table, file)?;
        Scenario::from_raw(&raw, file, Path::new(""), sources)
    }
}

/// Deserialises a merged table into raw types, with a TOML-style message on failure.
pub fn raw_from_table(table: toml::Table, file: &str) -> Result<RawScenario> {
    RawScenario::deserialize_table(table).map_err(|e| Error::Parse {
        file: file.into(),
        message: toml_message(&e),
        at: None,
    })
}

impl RawScenario {
    /// Deserialises from a TOML table.
    pub fn deserialize_table(
        table: toml::Table,
    ) -> std::result::Result<RawScenario, toml::de::Error> {
        // Round-trip through text so the TOML deserializer (with its field paths) reports errors.
        let text = toml::to_string(&table).unwrap_or_default();
        toml::from_str(&text)
    }
}
