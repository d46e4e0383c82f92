//! The scenario editor's model: a merged scenario table, the fields the engine's parameter registry
//! ([`sim::scenario::params::PARAMS`]) finds in it, the text typed into each, and the validation
//! messages for them. Nothing here draws; [`crate::App`] does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reports::input::Origin;
use reports::service::Prepared;

use crate::error::{GuiError, Result};
use reports::toml_path::{self, ParamPath, Segment};
use sim::scenario::params::{PARAMS, Param};

/// The panels of the editor, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Group {
    /// `[run]`, name and description.
    Run,
    /// `[rates]`.
    Rates,
    /// `[firms]` and `[[regions]]`.
    RegionsFirms,
    /// `[banking]`, bank defaults, banks, bank groups and bank files.
    Banks,
    /// `[models]` and `[adoption]`.
    Models,
    /// `[contagion]` and scheduled `[[shocks]]`.
    Contagion,
    /// `[policy]`.
    Policy,
}

impl Group {
    /// Every group, in display order.
    pub const ALL: [Group; 7] = [
        Group::Run,
        Group::Rates,
        Group::RegionsFirms,
        Group::Banks,
        Group::Models,
        Group::Contagion,
        Group::Policy,
    ];

    /// The panel title.
    pub fn title(self) -> &'static str {
        match self {
            Group::Run => "Run settings",
            Group::Rates => "Rates",
            Group::RegionsFirms => "Regions and firms",
            Group::Banks => "Banks",
            Group::Models => "AI models and adoption",
            Group::Contagion => "Contagion",
            Group::Policy => "Policy",
        }
    }

    /// The top-level keys of the scenario file this panel edits.
    pub fn roots(self) -> &'static [&'static str] {
        match self {
            Group::Run => &["name", "description", "currency", "run"],
            Group::Rates => &["rates"],
            Group::RegionsFirms => &["firms", "regions"],
            Group::Banks => &[
                "banking",
                "bank_defaults",
                "banks",
                "bank_groups",
                "bank_files",
            ],
            Group::Models => &["models", "adoption"],
            Group::Contagion => &["contagion", "shocks"],
            Group::Policy => &["policy"],
        }
    }

    fn of(path: &str) -> Group {
        let root = path
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_string();
        if root == "bank" {
            return Group::Banks;
        }
        Group::ALL
            .into_iter()
            .find(|g| g.roots().contains(&root.as_str()))
            .unwrap_or(Group::Run)
    }
}

/// One step of a concrete path into the table.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// One numeric field of the open scenario: a parameter of the registry at a concrete place.
#[derive(Clone, Debug)]
pub struct Field {
    /// Concrete path, e.g. `regions[1].firm_share` (the syntax of `herdlab sweep --vary`).
    pub key: String,
    /// Heading of the table it lives in, e.g. `regions[1] (west)`.
    pub section: String,
    /// The last name of the path, e.g. `firm_share`.
    pub name: String,
    /// The registry entry: unit, range, default, documentation.
    pub param: &'static Param,
    /// The panel it belongs to.
    pub group: Group,
    segs: Vec<Seg>,
}

/// A value that is not a number (a name, a kind, a switch) somewhere in the scenario.
#[derive(Clone, Debug)]
pub struct Leaf {
    /// Concrete path, e.g. `banks[2].family`.
    pub key: String,
    /// The value as the file has it (a string or a boolean).
    pub value: toml::Value,
    segs: Vec<Seg>,
}

fn collect_leaves(v: &toml::Value, key: String, segs: Vec<Seg>, out: &mut Vec<Leaf>) {
    match v {
        toml::Value::String(_) | toml::Value::Boolean(_) => out.push(Leaf {
            key,
            value: v.clone(),
            segs,
        }),
        toml::Value::Table(t) => {
            for (k, x) in t {
                let mut s = segs.clone();
                s.push(Seg::Key(k.clone()));
                collect_leaves(x, format!("{key}.{k}"), s, out);
            }
        }
        toml::Value::Array(items) => {
            // Lists of tables (banks, regions, families...); lists of plain values stay in the
            // TOML editor.
            for (i, x) in items.iter().enumerate() {
                if x.is_table() {
                    let mut s = segs.clone();
                    s.push(Seg::Index(i));
                    collect_leaves(x, format!("{key}[{i}]"), s, out);
                }
            }
        }
        _ => {}
    }
}

/// The display name of a list element: its `name`, `id` or `prefix`.
fn element_name(v: &toml::Value) -> Option<String> {
    let t = v.as_table()?;
    ["name", "id", "prefix", "path"]
        .iter()
        .find_map(|k| t.get(*k).and_then(|x| x.as_str()).map(String::from))
}

fn expand(
    table: Option<&toml::Table>,
    parts: &[&str],
    key: String,
    section: String,
    segs: Vec<Seg>,
    param: &'static Param,
    out: &mut Vec<Field>,
) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    let join = |k: &str, part: &str| {
        if k.is_empty() {
            part.to_string()
        } else {
            format!("{k}.{part}")
        }
    };
    if *first == "*" {
        // Every key of the table (adoption shares, bank region weights).
        if let Some(t) = table {
            for (name, v) in t {
                if rest.is_empty() && (v.is_float() || v.is_integer()) {
                    let mut s = segs.clone();
                    s.push(Seg::Key(name.clone()));
                    out.push(Field {
                        key: join(&key, name),
                        section: section.clone(),
                        name: name.clone(),
                        param,
                        group: Group::of(param.path),
                        segs: s,
                    });
                }
            }
        }
        return;
    }
    if let Some(list) = first.strip_suffix("[]") {
        let Some(toml::Value::Array(items)) = table.and_then(|t| t.get(list)) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let k = format!("{}[{i}]", join(&key, list));
            let mut s = segs.clone();
            s.push(Seg::Key(list.to_string()));
            s.push(Seg::Index(i));
            if rest.is_empty() {
                out.push(Field {
                    key: k,
                    section: section.clone(),
                    name: format!("{list}[{i}]"),
                    param,
                    group: Group::of(param.path),
                    segs: s,
                });
            } else {
                let sec = match element_name(item) {
                    Some(n) => format!("{k} ({n})"),
                    None => k.clone(),
                };
                expand(item.as_table(), rest, k, sec, s, param, out);
            }
        }
        return;
    }
    let k = join(&key, first);
    let mut s = segs;
    s.push(Seg::Key(first.to_string()));
    if rest.is_empty() {
        out.push(Field {
            key: k,
            section,
            name: first.to_string(),
            param,
            group: Group::of(param.path),
            segs: s,
        });
    } else {
        let sub = table.and_then(|t| t.get(*first)).and_then(|v| v.as_table());
        let sec = if section.is_empty() || !section.contains('[') {
            k.clone()
        } else {
            format!("{section}.{first}")
        };
        expand(sub, rest, k, sec, s, param, out);
    }
}

/// The numeric fields of `table`, in registry order: every parameter at every place it occurs
/// (each region, family, bank, group...). Scalar parameters are listed even when the file leaves
/// them at their default.
pub fn fields(table: &toml::Table) -> Vec<Field> {
    let mut out = Vec::new();
    for p in PARAMS {
        let parts: Vec<&str> = p.path.split('.').collect();
        if parts.first() == Some(&"bank") {
            // Bank parameters can be set in bank_defaults and on every bank, group and file.
            for owner in ["bank_defaults", "banks[]", "bank_groups[]", "bank_files[]"] {
                let mut with = vec![owner];
                with.extend_from_slice(&parts[1..]);
                expand(
                    Some(table),
                    &with,
                    String::new(),
                    String::new(),
                    Vec::new(),
                    p,
                    &mut out,
                );
            }
        } else {
            expand(
                Some(table),
                &parts,
                String::new(),
                String::new(),
                Vec::new(),
                p,
                &mut out,
            );
        }
    }
    out
}

/// The table path of `segs` (a list's key and an index become one step, `banks[2]`); the
/// walking itself is [`reports::toml_path`]'s.
fn path_of(segs: &[Seg]) -> ParamPath {
    let mut out: Vec<Segment> = Vec::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => out.push(Segment::Key(k.clone())),
            Seg::Index(i) => match out.pop() {
                Some(Segment::Key(k)) => out.push(Segment::Index(k, *i)),
                // Lists of lists do not occur in scenarios; keep the step visible in the path.
                Some(other) => {
                    out.push(other);
                    out.push(Segment::Index(String::new(), *i));
                }
                None => out.push(Segment::Index(String::new(), *i)),
            },
        }
    }
    ParamPath::from_segments(out)
}

fn get<'a>(table: &'a toml::Table, segs: &[Seg]) -> Option<&'a toml::Value> {
    toml_path::get(table, &path_of(segs))
}

/// Sets (or with `None` removes) the value at `segs`, creating missing tables on the way.
fn set(table: &mut toml::Table, segs: &[Seg], value: Option<toml::Value>) -> Result<(), String> {
    let path = path_of(segs);
    match value {
        Some(v) => toml_path::set(table, &path, v),
        None => toml_path::remove(table, &path),
    }
    .map_err(|e| e.message)
}

/// The text shown for a value.
fn text_of(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => format!("{x}"),
        other => other.to_string(),
    }
}

/// Checks what was typed for `param`: `Ok(None)` for "use the default", `Ok(Some(value))` for a
/// valid number, or the message to show beside the field.
pub fn check(param: &Param, text: &str) -> Result<Option<toml::Value>, String> {
    let t = text.trim();
    if t.is_empty() {
        // Scalars without a default (firms.weight) are optional: absent means "derived".
        let optional = param.default.is_some() || !param.path.contains(['[', '*']);
        return if optional {
            Ok(None)
        } else {
            Err("required: enter a value".into())
        };
    }
    let x: f64 = t
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{t}` is not a number"))?;
    if param.integer && x.fract() != 0.0 {
        return Err(format!(
            "must be a whole number, in {}",
            param.range.describe()
        ));
    }
    if !param.range.contains(x) {
        return Err(format!(
            "{t} is outside the allowed range {}",
            param.range.describe()
        ));
    }
    if param.integer {
        Ok(Some(toml::Value::Integer(x as i64)))
    } else {
        Ok(Some(toml::Value::Float(x)))
    }
}

/// Where a scenario being edited came from.
#[derive(Clone, Debug)]
pub struct Source {
    /// The origin used to run it (bundled name or file).
    pub origin: Origin,
    /// Where "Save" writes; `None` for a bundled scenario not yet saved.
    pub file: Option<PathBuf>,
}

impl Source {
    /// Text for the title bar and recent lists: `bundled:name` or the file path.
    pub fn label(&self) -> String {
        self.origin.label()
    }
}

/// The open scenario and its editing state.
#[derive(Debug)]
pub struct Document {
    /// Where it came from.
    pub source: Source,
    /// The merged scenario table as edited.
    pub table: toml::Table,
    /// The numeric fields found in the table.
    pub fields: Vec<Field>,
    /// Text typed per field key (absent: shows the table's value).
    pub texts: BTreeMap<String, String>,
    /// Validation message per field key.
    pub errors: BTreeMap<String, String>,
    /// The whole-scenario check: `Ok` with a short description, or the engine's message.
    pub validity: Result<String, String>,
    /// Degenerate but valid set-ups of the scenario (`Scenario::warnings`): a bank with no
    /// equity, a region no solvent bank lends in.
    pub warnings: Vec<String>,
    /// Changed since opened or saved.
    pub dirty: bool,
    /// The TOML text in the raw editor, when open.
    pub raw: Option<String>,
}

impl Document {
    /// Opens a scenario: a bundled name or a file path.
    pub fn open(arg: &str) -> Result<Document> {
        let origin = Origin::resolve(arg)?;
        let table = origin.table()?;
        let file = match &origin {
            Origin::File(p) => Some(p.clone()),
            Origin::Bundled(_) => None,
        };
        let mut doc = Document {
            source: Source { origin, file },
            fields: fields(&table),
            table,
            texts: BTreeMap::new(),
            errors: BTreeMap::new(),
            validity: Ok(String::new()),
            warnings: Vec::new(),
            dirty: false,
            raw: None,
        };
        doc.revalidate();
        Ok(doc)
    }

    /// The text to show in field `f`.
    pub fn text(&self, f: &Field) -> String {
        match self.texts.get(&f.key) {
            Some(t) => t.clone(),
            None => get(&self.table, &f.segs).map(text_of).unwrap_or_default(),
        }
    }

    /// What an empty field means: the value inherited from `bank_defaults` (bank parameters) or
    /// `banking.rw_other`, else the registry's default.
    pub fn inherited(&self, f: &Field) -> Option<f64> {
        let num = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
        if let Some(name) = f.param.path.strip_prefix("bank.") {
            if !f.key.starts_with("bank_defaults.")
                && let Some(x) = self.plain(&format!("bank_defaults.{name}")).and_then(num)
            {
                return Some(x);
            }
            if name == "rw_other"
                && let Some(x) = self.plain("banking.rw_other").and_then(num)
            {
                return Some(x);
            }
        }
        f.param.default
    }

    /// A unit with `money` replaced by the scenario's currency label.
    pub fn unit(&self, f: &Field) -> String {
        match (
            f.param.unit,
            self.plain("currency").and_then(|c| c.as_str()),
        ) {
            ("money", Some(c)) if !c.trim().is_empty() => c.to_string(),
            (u, _) => u.to_string(),
        }
    }

    /// The field with key `key`.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Records text typed into field `key`, checks it, and writes it into the table when valid.
    pub fn edit(&mut self, key: &str, text: String) {
        let Some(f) = self.fields.iter().find(|f| f.key == key).cloned() else {
            return;
        };
        self.dirty = true;
        match check(f.param, &text).and_then(|v| set(&mut self.table, &f.segs, v)) {
            Ok(()) => {
                self.errors.remove(key);
            }
            Err(e) => {
                self.errors.insert(key.to_string(), e);
            }
        }
        self.texts.insert(key.to_string(), text);
        self.revalidate();
    }

    /// Sets a non-numeric value (a switch, a name, a kind) at a dotted path of plain keys.
    pub fn set_plain(&mut self, path: &str, value: Option<toml::Value>) {
        let segs: Vec<Seg> = path.split('.').map(|k| Seg::Key(k.to_string())).collect();
        if let Err(e) = set(&mut self.table, &segs, value) {
            self.errors.insert(path.to_string(), e);
        } else {
            self.errors.remove(path);
        }
        self.dirty = true;
        self.revalidate();
    }

    /// The names of the scenario's model families (`models.families[].name`), in file order:
    /// the choices of every field that names a family.
    pub fn families(&self) -> Vec<String> {
        self.plain("models")
            .and_then(|m| m.get("families"))
            .and_then(|f| f.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|f| f.get("name").and_then(|n| n.as_str()).map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The value at a dotted path of plain keys.
    pub fn plain(&self, path: &str) -> Option<&toml::Value> {
        let segs: Vec<Seg> = path.split('.').map(|k| Seg::Key(k.to_string())).collect();
        get(&self.table, &segs)
    }

    /// The names, kinds and switches set in the tables of `group` (not the top-level name,
    /// description and currency).
    pub fn leaves(&self, group: Group) -> Vec<Leaf> {
        let mut out = Vec::new();
        for root in group.roots() {
            if let Some(v) = self.table.get(*root)
                && !v.is_str()
            {
                collect_leaves(
                    v,
                    root.to_string(),
                    vec![Seg::Key(root.to_string())],
                    &mut out,
                );
            }
        }
        out
    }

    /// Sets a non-numeric value found by [`Document::leaves`].
    pub fn set_leaf(&mut self, leaf: &Leaf, value: toml::Value) {
        if let Err(e) = set(&mut self.table, &leaf.segs, Some(value)) {
            self.errors.insert(leaf.key.clone(), e);
        } else {
            self.errors.remove(&leaf.key);
        }
        self.dirty = true;
        self.revalidate();
    }

    /// Replaces the whole table (from the TOML editor).
    pub fn replace_table(&mut self, table: toml::Table) {
        self.table = table;
        self.fields = fields(&self.table);
        self.texts.clear();
        self.errors.clear();
        self.dirty = true;
        self.revalidate();
    }

    /// Runs the engine's own validation of the whole scenario.
    pub fn revalidate(&mut self) {
        let prepared = self.prepare(&[]);
        self.warnings = match &prepared {
            Ok(p) => p
                .scenario
                .warnings()
                .iter()
                .map(ToString::to_string)
                .collect(),
            Err(_) => Vec::new(),
        };
        self.validity = prepared.map_err(|e| e.to_string()).map(|p| {
            format!(
                "{}: {} banks, {} regions, {} model families, {} firms, {} quarters",
                p.scenario.name,
                p.scenario.banks.len(),
                p.scenario.regions.len(),
                p.scenario.models.families.len(),
                p.scenario.firms.count,
                p.scenario.run.quarters
            )
        });
    }

    /// Whether the document can be run or saved: no field errors and a valid scenario.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty() && self.validity.is_ok()
    }

    /// The scenario ready to run, with `assignments` (paths, seed, sweep values) applied.
    pub fn prepare(&self, assignments: &[reports::sweep::Assignment]) -> Result<Prepared> {
        Ok(Prepared::from_table(
            self.source.origin.clone(),
            self.table.clone(),
            assignments,
            "",
        )?)
    }

    /// Saves the scenario as TOML at `path` (the file the CLI reads), then reopens it from there so
    /// what is edited is exactly what the file says. Data files the scenario names are referred
    /// to by absolute path, or copied beside the file when they are bundled.
    pub fn save_as(&mut self, path: &Path) -> Result<()> {
        if let Some(e) = self.errors.values().next() {
            return Err(GuiError::needs(format!(
                "fix the fields marked in red first ({e})"
            )));
        }
        let header = format!(
            "# Written by herdlab-gui from {}; run it with `herdlab run {}`.\n",
            self.source.label(),
            path.display()
        );
        reports::service::save_scenario(&self.table, path, &header)?;
        let reopened = Document::open(&path.display().to_string())?;
        *self = reopened;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_cover_every_region_and_bank_of_a_bundled_scenario() {
        let doc = Document::open("regional-monoculture").expect("bundled");
        let keys: Vec<&str> = doc.fields.iter().map(|f| f.key.as_str()).collect();
        assert!(keys.contains(&"run.paths"));
        assert!(keys.contains(&"regions[0].firm_share"));
        assert!(keys.iter().any(|k| k.starts_with("banks[")));
        assert!(doc.validity.is_ok(), "{:?}", doc.validity);
    }

    #[test]
    fn a_bad_value_is_refused_and_leaves_the_table_alone() {
        let mut doc = Document::open("baseline").expect("bundled");
        let before = doc.table.clone();
        doc.edit("firms.lgd", "1.5".into());
        assert!(doc.errors["firms.lgd"].contains("[0, 1]"));
        assert_eq!(doc.table, before);
        doc.edit("firms.lgd", "0.3".into());
        assert!(doc.errors.is_empty());
        assert_eq!(doc.plain("firms.lgd").and_then(|v| v.as_float()), Some(0.3));
    }

    #[test]
    fn a_bank_without_equity_is_a_warning_not_an_error() {
        let mut doc = Document::open("baseline").expect("bundled");
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
        doc.edit("banks[0].equity", "0".into());
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert!(doc.is_valid());
        assert!(
            doc.warnings
                .iter()
                .any(|w| w.starts_with("banks[0].equity:") && w.contains("starts with equity 0")),
            "{:?}",
            doc.warnings
        );
    }
}
