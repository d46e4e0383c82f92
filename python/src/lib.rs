//! `herdlab._core`: the compiled half of the `herdlab` Python package, a thin layer over
//! [`reports::service`]. It holds no docstrings for users (the pure-Python package around it does)
//! and converts nothing row by row: tables leave as Arrow IPC streams that `pyarrow` reads in one
//! go.
//!
//! Long work runs on a scoped worker thread with the GIL released; the calling thread polls it,
//! calls the progress callback and `Python::check_signals`, and on Ctrl-C (or an exception in the
//! callback) sets the stop flag the engine's observer reads, joins the worker and re-raises.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use monitor::QuarterMeasures;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use reports::input::Origin;
use reports::output::{Manifest, mean_interval};
use reports::service::{
    self, CompareRequest, Finished, Monitor, Prepared, RunSettings, ServiceError, SweepRequest,
};
use reports::sweep::Assignment;
use reports::toml_path::ParamPath;
use sim::aggregate::Aggregates;
use sim::montecarlo::{Observer, Shard};
use sim::results::PathResult;
use sim::scenario::Scenario;

create_exception!(
    herdlab,
    HerdlabError,
    PyException,
    "Base class of every herdlab error."
);
create_exception!(
    herdlab,
    ScenarioError,
    HerdlabError,
    "A scenario that cannot be read or is invalid; `.problems` lists (field, value, allowed)."
);
create_exception!(
    herdlab,
    UsageError,
    HerdlabError,
    "An argument that is not allowed (a path count of 0, a bad sweep specification...)."
);
create_exception!(
    herdlab,
    FileError,
    HerdlabError,
    "A file or folder that cannot be read or written, or is not what it should be."
);
create_exception!(
    herdlab,
    MonitorError,
    FileError,
    "A decision log the herding monitor cannot read or refuses; `.file`, `.row`, `.line`, `.column`, `.value` say where when the monitor knows."
);
create_exception!(
    herdlab,
    RunError,
    HerdlabError,
    "A run that cannot be carried out (too much memory, bad run options...)."
);
create_exception!(
    herdlab,
    Interrupted,
    HerdlabError,
    "A run stopped before it finished; nothing was written."
);

/// The Python exception for a service error: its kind picks the class, its `{:#}` text is the
/// message, and an invalid scenario's problems become `.problems`.
fn to_py(py: Python<'_>, e: ServiceError) -> PyErr {
    let message = format!("{e:#}");
    let mut problems: Vec<(String, String, String)> = Vec::new();
    let err = match &e {
        ServiceError::Sim(s) => match s {
            sim::Error::Read { .. } => FileError::new_err(message),
            sim::Error::Parse {
                file,
                message: m,
                at,
            } => {
                // The field path when the parser located the error (a wrong type, an unknown
                // field), else the file.
                let field = at
                    .as_ref()
                    .map_or_else(|| file.clone(), |l| l.field.clone());
                problems.push((field, String::new(), m.clone()));
                ScenarioError::new_err(message)
            }
            sim::Error::Invalid { problems: ps, .. } => {
                problems.extend(
                    ps.iter()
                        .map(|p| (p.path.clone(), p.value.clone(), p.allowed.clone())),
                );
                ScenarioError::new_err(message)
            }
            sim::Error::Cancelled => Interrupted::new_err(message),
            _ => RunError::new_err(message),
        },
        ServiceError::UnknownScenario { .. } | ServiceError::Invalid(_) => {
            ScenarioError::new_err(message)
        }
        ServiceError::Io { .. }
        | ServiceError::Format { .. }
        | ServiceError::Exists { .. }
        | ServiceError::Checkpoint(_) => FileError::new_err(message),
        ServiceError::Usage(_) | ServiceError::Sweep { .. } => UsageError::new_err(message),
        ServiceError::Monitor(monitor::Error::Setting { .. }) => UsageError::new_err(message),
        ServiceError::Monitor(m) => monitor_error(py, message, m),
        ServiceError::Interrupted
        | ServiceError::InterruptedKept { .. }
        | ServiceError::InterruptedCells { .. } => Interrupted::new_err(message),
        _ => RunError::new_err(message),
    };
    if err.is_instance_of::<ScenarioError>(py) {
        let _ = err.value(py).setattr("problems", problems);
    }
    err
}

/// A `MonitorError` whose attributes say where in the log the monitor found the problem: `file`,
/// `row` (1-based data row, header not counted), `line` (CSV line, header included), `column`
/// and `value` (as found), each `None` when the error does not say.
fn monitor_error(py: Python<'_>, message: String, e: &monitor::Error) -> PyErr {
    use monitor::Error as E;
    let mut file: Option<&PathBuf> = None;
    let mut place: Option<monitor::Place> = None;
    let mut column: Option<String> = None;
    let mut value: Option<String> = None;
    match e {
        E::Io { path, .. } | E::Format { path, .. } | E::Empty { path } => file = Some(path),
        E::Truncated { path, .. } => file = Some(path),
        E::MissingColumn {
            path, column: c, ..
        }
        | E::ColumnType {
            path, column: c, ..
        } => {
            file = Some(path);
            column = Some(c.to_string());
        }
        E::DuplicateColumn { path, column: c } => {
            file = Some(path);
            column = Some(c.clone());
        }
        E::BadValue {
            path,
            place: p,
            column: c,
            value: v,
            ..
        } => {
            (file, place) = (Some(path), Some(*p));
            (column, value) = (Some(c.to_string()), Some(v.clone()));
        }
        E::OutOfOrder {
            path,
            place: p,
            quarter,
            ..
        } => {
            (file, place) = (Some(path), Some(*p));
            (column, value) = (Some("quarter".into()), Some(quarter.to_string()));
        }
        E::Duplicate { path, place: p, .. } => (file, place) = (Some(path), Some(*p)),
        E::OneBank { path, first, .. } => (file, place) = (Some(path), Some(*first)),
        E::Inconsistent(i) => {
            (file, place) = (Some(&i.path), Some(i.place));
            (column, value) = (Some(i.column.to_string()), Some(i.value.clone()));
        }
        E::FamilyChanged(f) => {
            (file, place) = (Some(&f.path), Some(f.place));
            (column, value) = (Some("family".into()), Some(f.family.clone()));
        }
        _ => {}
    }
    let err = MonitorError::new_err(message);
    let v = err.value(py);
    let _ = v.setattr("file", file.map(|f| f.display().to_string()));
    let _ = v.setattr("row", place.map(|p| p.row));
    let _ = v.setattr("line", place.and_then(|p| p.line).map(|l| l.get()));
    let _ = v.setattr("column", column);
    let _ = v.setattr("value", value);
    err
}

/// Progress and cancellation shared between the worker thread and the polling Python thread.
#[derive(Default)]
struct PyMonitor {
    stop: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    label: Mutex<String>,
    warnings: Mutex<Vec<String>>,
}

struct Counter<'a>(&'a PyMonitor);

impl Observer for Counter<'_> {
    fn path_done(&self, done: u64, _total: u64) {
        self.0.done.store(done, Ordering::Relaxed);
    }
    fn should_stop(&self) -> bool {
        self.0.stop.load(Ordering::Relaxed)
    }
}

impl Monitor for PyMonitor {
    fn run_started(&self, label: &str, total: u64, done: u64) -> Box<dyn Observer + '_> {
        if let Ok(mut l) = self.label.lock() {
            *l = label.to_string();
        }
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
        Box::new(Counter(self))
    }
    fn warning(&self, file: &str, message: &str) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(format!("{file}: {message}"));
        }
    }
    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

impl PyMonitor {
    /// Calls `progress(label, done, total)` with the current counters.
    fn report(&self, progress: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        if let Some(cb) = progress {
            let label = self.label.lock().map(|l| l.clone()).unwrap_or_default();
            cb.call1((
                label,
                self.done.load(Ordering::Relaxed),
                self.total.load(Ordering::Relaxed),
            ))?;
        }
        Ok(())
    }
}

/// Runs `work` on a worker thread with the GIL released, polling for Ctrl-C and calling
/// `progress` about ten times a second; warnings go to Python's `warnings` module.
fn drive<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&PyMonitor) -> service::Result<T> + Send,
) -> PyResult<T> {
    let monitor = PyMonitor::default();
    let outcome = std::thread::scope(|s| {
        let m = &monitor;
        let handle = s.spawn(move || work(m));
        let mut failure: Option<PyErr> = None;
        loop {
            let finished = py.detach(|| {
                for _ in 0..10 {
                    if handle.is_finished() {
                        return true;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                handle.is_finished()
            });
            let checked = py.check_signals().and_then(|()| monitor.report(progress));
            if let Err(e) = checked {
                monitor.stop.store(true, Ordering::Relaxed);
                failure = Some(e);
                break;
            }
            if finished {
                break;
            }
        }
        let joined = py.detach(|| handle.join());
        (joined, failure)
    });
    let warnings = monitor
        .warnings
        .lock()
        .map(|w| w.clone())
        .unwrap_or_default();
    if !warnings.is_empty() {
        let w = py.import("warnings")?;
        for message in warnings {
            w.call_method1("warn", (message,))?;
        }
    }
    match outcome {
        (_, Some(e)) => Err(e),
        (Err(_), None) => Err(PyRuntimeError::new_err(
            "herdlab: the engine's worker thread panicked",
        )),
        (Ok(result), None) => result.map_err(|e| to_py(py, e)),
    }
}

/// A scenario being inspected or edited: where it came from and its merged TOML table.
#[pyclass(module = "herdlab._core", skip_from_py_object)]
#[derive(Clone)]
struct ScenarioDraft {
    origin: Origin,
    table: toml::Table,
    edited: bool,
}

/// A TOML value from a Python bool, int, float, str or list of them; `key` names the field in
/// the error.
fn toml_value(key: &str, value: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    if let Ok(b) = value.extract::<bool>() {
        return Ok(toml::Value::Boolean(b));
    }
    if let Ok(i) = value.extract::<i64>() {
        return Ok(toml::Value::Integer(i));
    }
    if let Ok(x) = value.extract::<f64>() {
        return Ok(toml::Value::Float(x));
    }
    if let Ok(s) = value.extract::<String>() {
        return Ok(toml::Value::String(s));
    }
    if let Ok(list) = value.cast::<PyList>() {
        let items = list
            .iter()
            .map(|v| toml_value(key, &v))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(toml::Value::Array(items));
    }
    Err(PyTypeError::new_err(format!(
        "{key}: cannot set a value of type {}; allowed: bool, int, float, str or a list of them",
        value.get_type().name()?
    )))
}

#[pymethods]
impl ScenarioDraft {
    /// Loads a bundled scenario by name or a scenario file by path.
    #[staticmethod]
    fn load(py: Python<'_>, name_or_path: &str) -> PyResult<ScenarioDraft> {
        let origin = Origin::resolve(name_or_path).map_err(|e| to_py(py, e))?;
        let table = origin.table().map_err(|e| to_py(py, e))?;
        Ok(ScenarioDraft {
            origin,
            table,
            edited: false,
        })
    }

    /// Reads a scenario from TOML text; `label` names it in messages.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str, label: &str) -> PyResult<ScenarioDraft> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            to_py(
                py,
                ServiceError::Sim(sim::Error::Parse {
                    file: label.to_string(),
                    message: e.to_string(),
                    at: None,
                }),
            )
        })?;
        let origin = Origin::File(PathBuf::from(label));
        Ok(ScenarioDraft {
            origin,
            table,
            edited: true,
        })
    }

    /// Where the scenario came from: the bundled name or the file path.
    #[getter]
    fn source(&self) -> String {
        self.origin.label()
    }

    /// The scenario as the service layer's requests name it: the bundled name or the file path.
    #[getter]
    fn argument(&self) -> String {
        match &self.origin {
            Origin::File(p) => p.display().to_string(),
            Origin::Bundled(b) => b.name.to_string(),
        }
    }

    /// An independent copy.
    fn copy(&self) -> ScenarioDraft {
        self.clone()
    }

    /// Whether `set` changed the scenario since it was loaded.
    #[getter]
    fn edited(&self) -> bool {
        self.edited
    }

    /// The scenario as TOML text.
    fn to_toml(&self) -> PyResult<String> {
        toml::to_string(&self.table).map_err(|e| RunError::new_err(e.to_string()))
    }

    /// The scenario as JSON text (for a Python dict).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.table).map_err(|e| RunError::new_err(e.to_string()))
    }

    /// Writes `value` at the dotted `key` (`models.similarity`, `banks[2].equity`).
    fn set(&mut self, py: Python<'_>, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = ParamPath::parse(key).map_err(|e| to_py(py, e.into()))?;
        let value = toml_value(key, value)?;
        reports::sweep::assign(&mut self.table, &Assignment { path, value })
            .map_err(|e| to_py(py, e))?;
        self.edited = true;
        Ok(())
    }

    /// Checks the scenario; raises `ScenarioError` with every problem.
    fn validate(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let p = self.prepare(py, &RunSettings::default())?;
        Ok(p.scenario
            .warnings()
            .iter()
            .map(ToString::to_string)
            .collect())
    }
}

impl ScenarioDraft {
    fn prepare(&self, py: Python<'_>, settings: &RunSettings) -> PyResult<Prepared> {
        let assignments = settings.overrides().map_err(|e| to_py(py, e))?;
        Prepared::from_table(self.origin.clone(), self.table.clone(), &assignments, "")
            .map_err(|e| to_py(py, e))
    }
}

/// A finished run kept in memory: its scenario, manifest, paths and aggregates.
#[pyclass(module = "herdlab._core", frozen)]
struct RunData {
    scenario: Scenario,
    manifest: Manifest,
    paths: Vec<PathResult>,
    aggregates: Aggregates,
}

/// An Arrow IPC stream of one record batch.
fn ipc<'py>(py: Python<'py>, batch: &RecordBatch) -> PyResult<Bound<'py, PyBytes>> {
    let mut buf = Vec::new();
    {
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut buf, &batch.schema())
            .map_err(|e| RunError::new_err(e.to_string()))?;
        w.write(batch)
            .map_err(|e| RunError::new_err(e.to_string()))?;
        w.finish().map_err(|e| RunError::new_err(e.to_string()))?;
    }
    Ok(PyBytes::new(py, &buf))
}

fn batch(fields: Vec<Field>, columns: Vec<ArrayRef>) -> PyResult<RecordBatch> {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| RunError::new_err(e.to_string()))
}

/// `credit_gap[east]` → (`credit_gap`, `east`).
fn split_region(name: &str) -> (&str, Option<&str>) {
    match name.split_once('[') {
        Some((m, rest)) => (m, Some(rest.trim_end_matches(']'))),
        None => (name, None),
    }
}

#[pymethods]
impl RunData {
    /// Summary table: measure, region, n, mean, se, lo, hi, unit.
    fn summary_ipc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let rows: Vec<_> = self
            .aggregates
            .path_measures
            .iter()
            .chain(&self.aggregates.region_gap)
            .collect();
        // No statistic without paths (an empty shard), no standard error or interval from one.
        let (lo, hi): (Vec<Option<f64>>, Vec<Option<f64>>) = rows
            .iter()
            .map(|m| match m.summary.n {
                0 | 1 => (None, None),
                _ => {
                    let (lo, hi) = mean_interval(&m.summary);
                    (Some(lo), Some(hi))
                }
            })
            .unzip();
        let mean: Vec<Option<f64>> = rows
            .iter()
            .map(|m| (m.summary.n > 0).then_some(m.summary.mean))
            .collect();
        let se: Vec<Option<f64>> = rows
            .iter()
            .map(|m| (m.summary.n > 1).then_some(m.summary.std_error))
            .collect();
        let names: Vec<_> = rows.iter().map(|m| split_region(&m.name)).collect();
        let b = batch(
            vec![
                Field::new("measure", DataType::Utf8, false),
                Field::new("region", DataType::Utf8, true),
                Field::new("n", DataType::UInt64, false),
                Field::new("mean", DataType::Float64, true),
                Field::new("se", DataType::Float64, true),
                Field::new("lo", DataType::Float64, true),
                Field::new("hi", DataType::Float64, true),
                Field::new("unit", DataType::Utf8, false),
            ],
            vec![
                Arc::new(StringArray::from_iter_values(names.iter().map(|n| n.0))),
                Arc::new(StringArray::from(
                    names.iter().map(|n| n.1).collect::<Vec<_>>(),
                )),
                Arc::new(UInt64Array::from_iter_values(
                    rows.iter().map(|m| m.summary.n as u64),
                )),
                Arc::new(Float64Array::from(mean)),
                Arc::new(Float64Array::from(se)),
                Arc::new(Float64Array::from(lo)),
                Arc::new(Float64Array::from(hi)),
                Arc::new(StringArray::from_iter_values(
                    rows.iter().map(|m| m.unit.as_str()),
                )),
            ],
        )?;
        ipc(py, &b)
    }

    /// One row per path: the columns of `paths.csv` (counts as integers; units in the field
    /// metadata), the table of `paths.parquet`.
    fn paths_ipc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let prov = reports::tables::Provenance::of(&self.scenario, &self.paths);
        let b = reports::tables::paths_batch(&prov, &self.paths)
            .map_err(|e| RunError::new_err(e.to_string()))?;
        ipc(py, &b)
    }

    /// Long per-quarter table (path, quarter, measure, region, family, value, unit), the table of
    /// `path_quarters.parquet`.
    fn quarters_ipc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let prov = reports::tables::Provenance::of(&self.scenario, &self.paths);
        let b = reports::tables::path_quarters_batch(&prov, &self.paths)
            .map_err(|e| RunError::new_err(e.to_string()))?;
        ipc(py, &b)
    }

    /// Per path, quarter and bank: path, quarter, bank, equity, income and losses by channel,
    /// the SME book, new lending, applications and approvals; `None` when the run kept no bank
    /// detail (`run.bank_detail = false`).
    fn banks_ipc<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let nb = self.scenario.banks.len();
        if nb == 0 || self.paths.iter().all(|p| p.bank_quarters.is_empty()) {
            return Ok(None);
        }
        let mut path = Vec::new();
        let mut quarter = Vec::new();
        let mut bank: Vec<&str> = Vec::new();
        let mut cols: [Vec<f64>; 9] = Default::default();
        let mut counts: [Vec<u64>; 2] = Default::default();
        for p in &self.paths {
            for (k, b) in p.bank_quarters.iter().enumerate() {
                path.push(p.path);
                quarter.push((k / nb) as u32 + 1);
                bank.push(self.scenario.banks[k % nb].id.as_str());
                let v = [
                    b.equity,
                    b.income,
                    b.loss_credit,
                    b.loss_bonds,
                    b.loss_interbank,
                    b.loss_fire_sales,
                    b.loss_shock,
                    b.loans,
                    b.new_lending,
                ];
                for (c, x) in cols.iter_mut().zip(v) {
                    c.push(x);
                }
                counts[0].push(b.applications);
                counts[1].push(b.approvals);
            }
        }
        let names = [
            "equity",
            "income",
            "loss_credit",
            "loss_bonds",
            "loss_interbank",
            "loss_fire_sales",
            "loss_shock",
            "loans",
            "new_lending",
        ];
        let mut fields = vec![
            Field::new("path", DataType::UInt64, false),
            Field::new("quarter", DataType::UInt32, false),
            Field::new("bank", DataType::Utf8, false),
        ];
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from(path)),
            Arc::new(UInt32Array::from(quarter)),
            Arc::new(StringArray::from(bank)),
        ];
        for (name, c) in names.iter().zip(cols) {
            fields.push(Field::new(*name, DataType::Float64, false));
            columns.push(Arc::new(Float64Array::from(c)));
        }
        for (name, c) in ["applications", "approvals"].iter().zip(counts) {
            fields.push(Field::new(*name, DataType::UInt64, false));
            columns.push(Arc::new(UInt64Array::from(c)));
        }
        ipc(py, &batch(fields, columns)?).map(Some)
    }

    /// The manifest as JSON text.
    fn manifest_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.manifest).map_err(|e| RunError::new_err(e.to_string()))
    }

    /// The scenario as run, as JSON text.
    fn scenario_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.scenario).map_err(|e| RunError::new_err(e.to_string()))
    }

    /// Writes the result folder `herdlab run` writes; returns its path.
    fn save(&self, py: Python<'_>, folder: PathBuf, force: bool) -> PyResult<PathBuf> {
        let finished = Finished {
            manifest: self.manifest.clone(),
            paths: self.paths.clone(),
        };
        py.detach(|| service::write_run_folder(&folder, force, &self.scenario, &finished))
            .map(|(dir, _)| dir)
            .map_err(|e| to_py(py, e))
    }
}

fn settings(
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    max_memory: Option<String>,
) -> PyResult<RunSettings> {
    if threads == Some(0) {
        return Err(UsageError::new_err(
            "threads = 0: allowed: at least 1, or None for one per core",
        ));
    }
    Ok(RunSettings {
        paths,
        seed,
        threads,
        max_memory,
        report: false,
    })
}

/// Runs a scenario in memory (nothing written) and returns its data.
#[pyfunction]
#[pyo3(signature = (scenario, *, paths=None, seed=None, threads=None, max_memory=None, progress=None, command_line=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    scenario: &ScenarioDraft,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    max_memory: Option<String>,
    progress: Option<Bound<'_, PyAny>>,
    command_line: Vec<String>,
) -> PyResult<RunData> {
    let settings = settings(paths, seed, threads, max_memory)?;
    let prepared = scenario.prepare(py, &settings)?;
    let options = settings.options(Shard::WHOLE).map_err(|e| to_py(py, e))?;
    let label = prepared.scenario.name.clone();
    let finished = drive(py, progress.as_ref(), |m| {
        for w in prepared.scenario.warnings() {
            m.warning(&prepared.input.file, &w.to_string());
        }
        let observer = m.run_started(&label, prepared.scenario.run.paths, 0);
        service::run_prepared(&prepared, &options, &*observer, &command_line)
    })?;
    let aggregates = sim::aggregate::aggregate(&prepared.scenario, &finished.paths);
    Ok(RunData {
        scenario: prepared.scenario,
        manifest: finished.manifest,
        paths: finished.paths,
        aggregates,
    })
}

/// Reads a run's (or merged run's) result folder.
#[pyfunction]
fn load_run(py: Python<'_>, folder: PathBuf) -> PyResult<RunData> {
    let r = py
        .detach(|| service::load(&folder))
        .map_err(|e| to_py(py, e))?;
    Ok(RunData {
        scenario: r.scenario,
        manifest: r.manifest,
        paths: r.paths,
        aggregates: r.aggregates,
    })
}

/// Runs a comparison (`herdlab compare`) into `out`; returns the folder.
#[pyfunction]
#[pyo3(signature = (scenarios, *, out, paths=None, seed=None, threads=None, max_memory=None, force=false, progress=None, command_line=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    scenarios: Vec<String>,
    out: PathBuf,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    max_memory: Option<String>,
    force: bool,
    progress: Option<Bound<'_, PyAny>>,
    command_line: Vec<String>,
) -> PyResult<PathBuf> {
    let request = CompareRequest {
        scenarios,
        settings: settings(paths, seed, threads, max_memory)?,
        out: Some(out),
        force,
        command_line,
    };
    drive(py, progress.as_ref(), |m| service::compare(&request, m)).map(|o| o.folder)
}

/// Runs a sweep (`herdlab sweep`, `vary` as `PATH=V1,V2,...`) into `out`; returns the folder.
#[pyfunction]
#[pyo3(signature = (scenario, vary, *, out, paths=None, seed=None, threads=None, max_memory=None, force=false, progress=None, command_line=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    scenario: String,
    vary: Vec<String>,
    out: PathBuf,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    max_memory: Option<String>,
    force: bool,
    progress: Option<Bound<'_, PyAny>>,
    command_line: Vec<String>,
) -> PyResult<PathBuf> {
    let request = SweepRequest {
        scenario,
        vary,
        settings: settings(paths, seed, threads, max_memory)?,
        out: Some(out),
        force,
        resume: false,
        command_line,
    };
    drive(py, progress.as_ref(), |m| service::sweep(&request, m)).map(|o| o.folder)
}

/// Refuses a path index outside the scenario's run (`run.paths`), as `--decision-log` does.
fn check_path(scenario: &Scenario, path: u64) -> PyResult<()> {
    let paths = scenario.run.paths;
    if path >= paths {
        return Err(UsageError::new_err(format!(
            "path={path}: not a path of the run: allowed: 0 to {} (the scenario's run.paths is \
             {paths}; set it higher to reach later paths)",
            paths.saturating_sub(1)
        )));
    }
    Ok(())
}

/// The engine's decision log of one path (MODEL.md §10) as an Arrow IPC stream, with the columns
/// and types of the `path-P.parquet` file `herdlab run --decision-log P` writes. The path is
/// simulated again (bit for bit the run's path) on a worker thread with the GIL released; Ctrl-C
/// stops it between quarters.
#[pyfunction]
#[pyo3(signature = (scenario, path, *, seed=None))]
fn decision_log<'py>(
    py: Python<'py>,
    scenario: &ScenarioDraft,
    path: u64,
    seed: Option<u64>,
) -> PyResult<Bound<'py, PyBytes>> {
    let prepared = scenario.prepare(py, &settings(None, seed, None, None)?)?;
    let s = &prepared.scenario;
    check_path(s, path)?;
    let log = drive(py, None, |m| {
        for w in s.warnings() {
            m.warning(&prepared.input.file, &w.to_string());
        }
        let observer = m.run_started(&format!("{}: decision log of path {path}", s.name), 1, 0);
        reports::service::decision_log::simulate_log(s, path, &*observer)
    })?;
    let b = reports::service::decision_log::record_batch(s, path, &log)
        .map_err(|e| RunError::new_err(e.to_string()))?;
    ipc(py, &b)
}

/// Writes the decision log of one path as `path-P.csv` and `path-P.parquet` into `folder` (made
/// if missing) through `reports::service::decision_log::write_decision_log`, the files `herdlab
/// run --decision-log P` writes; returns their paths.
#[pyfunction]
#[pyo3(signature = (scenario, path, folder, *, seed=None))]
fn write_decision_log(
    py: Python<'_>,
    scenario: &ScenarioDraft,
    path: u64,
    folder: PathBuf,
    seed: Option<u64>,
) -> PyResult<Vec<PathBuf>> {
    let prepared = scenario.prepare(py, &settings(None, seed, None, None)?)?;
    check_path(&prepared.scenario, path)?;
    drive(py, None, |m| {
        for w in prepared.scenario.warnings() {
            m.warning(&prepared.input.file, &w.to_string());
        }
        service::decision_log::write_decision_log(&prepared.scenario, path, &folder)
    })
}

/// The herding monitor's report on a decision log, kept in memory until `save`.
#[pyclass(module = "herdlab._core", frozen)]
struct MonitorData {
    report: monitor::MonitorReport,
}

/// A column of the per-quarter measures: its name and how to read it from a quarter.
enum Col {
    U32(&'static str, fn(&QuarterMeasures) -> u32),
    U64(&'static str, fn(&QuarterMeasures) -> u64),
    F64(&'static str, fn(&QuarterMeasures) -> f64),
    OptF64(&'static str, fn(&QuarterMeasures) -> Option<f64>),
    OptStr(&'static str, fn(&QuarterMeasures) -> Option<&str>),
    OptBool(&'static str, fn(&QuarterMeasures) -> Option<bool>),
    Bool(&'static str, fn(&QuarterMeasures) -> bool),
}

/// Every field of `QuarterMeasures`, in its order (the order of `summary.json`).
const QUARTER_COLUMNS: [Col; 24] = [
    Col::U32("quarter", |q| q.quarter),
    Col::OptStr("region", |q| q.region.as_deref()),
    Col::U64("rows", |q| q.rows),
    Col::U64("applicants", |q| q.applicants),
    Col::U64("banks", |q| q.banks),
    Col::F64("approval_rate", |q| q.approval_rate),
    Col::U64("measured_applicants", |q| q.measured_applicants),
    Col::U64("multi_bank_applicants", |q| q.multi_bank_applicants),
    Col::OptF64("systemic_rejection", |q| q.systemic_rejection),
    Col::OptF64("systemic_rejection_baseline", |q| {
        q.systemic_rejection_baseline
    }),
    Col::OptF64("systemic_rejection_ratio", |q| q.systemic_rejection_ratio),
    Col::OptF64("ratio_ci_low", |q| q.ratio_ci_low),
    Col::OptF64("ratio_ci_high", |q| q.ratio_ci_high),
    Col::OptF64("decision_agreement", |q| q.decision_agreement),
    Col::U64("agreement_pairs", |q| q.agreement_pairs),
    Col::U64("agreement_shared", |q| q.agreement_shared),
    Col::OptF64("same_family_agreement", |q| q.same_family_agreement),
    Col::OptF64("cross_family_agreement", |q| q.cross_family_agreement),
    Col::OptF64("same_family_share", |q| q.same_family_share),
    Col::OptF64("shared_model_excess", |q| q.shared_model_excess),
    Col::OptF64("lsv", |q| q.lsv),
    Col::U64("lsv_markets", |q| q.lsv_markets),
    Col::OptBool("over_threshold", |q| q.over_threshold),
    Col::Bool("alarm", |q| q.alarm),
];

/// Fails to compile when `QuarterMeasures` gains a field, so that `QUARTER_COLUMNS` follows it.
#[allow(dead_code)]
fn every_quarter_field_is_a_column(q: &QuarterMeasures) {
    let QuarterMeasures {
        quarter: _,
        region: _,
        rows: _,
        applicants: _,
        banks: _,
        approval_rate: _,
        measured_applicants: _,
        multi_bank_applicants: _,
        systemic_rejection: _,
        systemic_rejection_baseline: _,
        systemic_rejection_ratio: _,
        ratio_ci_low: _,
        ratio_ci_high: _,
        decision_agreement: _,
        agreement_pairs: _,
        agreement_shared: _,
        same_family_agreement: _,
        cross_family_agreement: _,
        same_family_share: _,
        shared_model_excess: _,
        lsv: _,
        lsv_markets: _,
        over_threshold: _,
        alarm: _,
    } = q;
}

/// The per-quarter measures as an Arrow IPC stream: a column per field, undefined values null.
fn quarters_table<'py>(py: Python<'py>, rows: &[QuarterMeasures]) -> PyResult<Bound<'py, PyBytes>> {
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for c in &QUARTER_COLUMNS {
        let (name, ty, nullable, array): (&str, DataType, bool, ArrayRef) = match c {
            Col::U32(n, f) => (
                n,
                DataType::UInt32,
                false,
                Arc::new(UInt32Array::from_iter_values(rows.iter().map(f))),
            ),
            Col::U64(n, f) => (
                n,
                DataType::UInt64,
                false,
                Arc::new(UInt64Array::from_iter_values(rows.iter().map(f))),
            ),
            Col::F64(n, f) => (
                n,
                DataType::Float64,
                false,
                Arc::new(Float64Array::from_iter_values(rows.iter().map(f))),
            ),
            Col::OptF64(n, f) => (
                n,
                DataType::Float64,
                true,
                Arc::new(Float64Array::from(rows.iter().map(f).collect::<Vec<_>>())),
            ),
            Col::OptStr(n, f) => (
                n,
                DataType::Utf8,
                true,
                Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>())),
            ),
            Col::OptBool(n, f) => (
                n,
                DataType::Boolean,
                true,
                Arc::new(BooleanArray::from(rows.iter().map(f).collect::<Vec<_>>())),
            ),
            Col::Bool(n, f) => (
                n,
                DataType::Boolean,
                false,
                Arc::new(BooleanArray::from(rows.iter().map(f).collect::<Vec<_>>())),
            ),
        };
        fields.push(Field::new(name, ty, nullable));
        columns.push(array);
    }
    ipc(py, &batch(fields, columns)?)
}

/// A measure's name as the monitor writes it (`shared-model-excess`).
fn measure_name(m: monitor::Measure) -> String {
    match serde_json::to_value(m) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{m:?}"),
    }
}

#[pymethods]
impl MonitorData {
    /// The whole log's measures, one row per quarter.
    fn quarters_ipc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        quarters_table(py, &self.report.quarters)
    }

    /// Each region's measures, by quarter then region.
    fn regions_ipc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        quarters_table(py, &self.report.regions)
    }

    /// The alarms: region, measure, first_quarter_over, raised_quarter, response_quarter, value.
    fn alarms_ipc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let a = &self.report.alarms;
        let b = batch(
            vec![
                Field::new("region", DataType::Utf8, true),
                Field::new("measure", DataType::Utf8, false),
                Field::new("first_quarter_over", DataType::UInt32, false),
                Field::new("raised_quarter", DataType::UInt32, false),
                Field::new("response_quarter", DataType::UInt32, false),
                Field::new("value", DataType::Float64, false),
            ],
            vec![
                Arc::new(StringArray::from(
                    a.iter().map(|e| e.region.as_deref()).collect::<Vec<_>>(),
                )),
                Arc::new(StringArray::from_iter_values(
                    a.iter().map(|e| measure_name(e.measure)),
                )),
                Arc::new(UInt32Array::from_iter_values(
                    a.iter().map(|e| e.first_quarter_over),
                )),
                Arc::new(UInt32Array::from_iter_values(
                    a.iter().map(|e| e.raised_quarter),
                )),
                Arc::new(UInt32Array::from_iter_values(
                    a.iter().map(|e| e.response_quarter),
                )),
                Arc::new(Float64Array::from_iter_values(a.iter().map(|e| e.value))),
            ],
        )?;
        ipc(py, &b)
    }

    /// Data rows read.
    #[getter]
    fn rows(&self) -> u64 {
        self.report.rows
    }

    /// Whether any alarm was raised.
    #[getter]
    fn alarm_raised(&self) -> bool {
        self.report.alarm_raised()
    }

    /// The report as JSON text: the result folder's `summary.json`.
    fn summary_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.report).map_err(|e| RunError::new_err(e.to_string()))
    }

    /// Writes the result folder `herdlab monitor` writes; returns its path.
    fn save(&self, py: Python<'_>, folder: PathBuf, force: bool) -> PyResult<PathBuf> {
        py.detach(|| service::write_monitor_folder(&self.report, &folder, force))
            .map_err(|e| to_py(py, e))
    }
}

/// Reads a whole decision log (CSV or Parquet) with the herding monitor; `measure = None`
/// computes no alarm. The log is read on a worker thread with the GIL released. The monitor
/// cannot be stopped part-way, so on Ctrl-C the call raises `KeyboardInterrupt` at once and
/// leaves the worker to finish reading in the background (it writes nothing).
#[pyfunction]
#[pyo3(signature = (log, *, measure, threshold, persistence, lag, min_shared, resamples))]
#[allow(clippy::too_many_arguments)]
fn measure_log(
    py: Python<'_>,
    log: PathBuf,
    measure: Option<String>,
    threshold: f64,
    persistence: u32,
    lag: u32,
    min_shared: u64,
    resamples: u32,
) -> PyResult<MonitorData> {
    let alarm = match measure {
        None => None,
        Some(m) => Some(monitor::AlarmRule {
            measure: monitor::Measure::from_name(&m).map_err(|e| to_py(py, e.into()))?,
            threshold,
            persistence,
            lag,
        }),
    };
    let settings = monitor::Settings {
        min_shared,
        resamples,
        alarm,
        ..Default::default()
    };
    let worker = std::thread::Builder::new()
        .name("herdlab-monitor".into())
        .spawn(move || service::measure_log(&log, &settings))
        .map_err(|e| RunError::new_err(format!("cannot start the monitor's thread: {e}")))?;
    loop {
        let finished = py.detach(|| {
            for _ in 0..10 {
                if worker.is_finished() {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            worker.is_finished()
        });
        if finished {
            break;
        }
        py.check_signals()?;
    }
    match py.detach(|| worker.join()) {
        Ok(Ok(report)) => Ok(MonitorData { report }),
        Ok(Err(e)) => Err(to_py(py, e)),
        Err(_) => Err(PyRuntimeError::new_err(
            "herdlab: the monitor's worker thread panicked",
        )),
    }
}

/// herdlab's version.
#[pyfunction]
fn version() -> &'static str {
    reports::output::PROGRAM_VERSION
}

/// The compiled module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("HerdlabError", py.get_type::<HerdlabError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("FileError", py.get_type::<FileError>())?;
    m.add("MonitorError", py.get_type::<MonitorError>())?;
    m.add("RunError", py.get_type::<RunError>())?;
    m.add("Interrupted", py.get_type::<Interrupted>())?;
    m.add_class::<ScenarioDraft>()?;
    m.add_class::<RunData>()?;
    m.add_class::<MonitorData>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(load_run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(decision_log, m)?)?;
    m.add_function(wrap_pyfunction!(write_decision_log, m)?)?;
    m.add_function(wrap_pyfunction!(measure_log, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
