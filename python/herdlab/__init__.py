"""herdlab for Python: the systemic-risk Monte Carlo engine of banks, SMEs and AI credit models.

The engine is Rust (the compiled module ``herdlab._core``, calling herdlab's service layer, the
same code the ``herdlab`` command line runs); this package gives it Python signatures and returns
pandas (default) or polars tables, which cross from Rust as Arrow.

>>> import herdlab
>>> r = herdlab.run("regional-monoculture", paths=200, seed=7)      # doctest: +SKIP
>>> r.summary.head()                                                 # doctest: +SKIP
>>> log = herdlab.write_decision_log("regional-monoculture", 0, "logs")  # doctest: +SKIP
>>> herdlab.monitor(log[1]).alarms                                   # doctest: +SKIP

The same scenario and seed give bit-identical numbers to ``herdlab run`` on the command line,
for any thread count.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc

from . import _core
from ._core import (
    FileError,
    HerdlabError,
    Interrupted,
    MonitorError,
    RunError,
    ScenarioError,
    UsageError,
)

__all__ = [
    "Comparison",
    "FileError",
    "HerdlabError",
    "Interrupted",
    "MonitorError",
    "MonitorResult",
    "Result",
    "RunError",
    "Scenario",
    "ScenarioError",
    "Sweep",
    "UsageError",
    "__version__",
    "compare",
    "decision_log",
    "load",
    "monitor",
    "run",
    "scenario",
    "sweep",
    "write_decision_log",
]

__version__: str = _core.version()

#: What ``progress=`` accepts: ``True`` (tqdm if installed, else plain lines on stderr), ``False``
#: or ``None`` (nothing), or a callable ``progress(label, done, total)``.
Progress = Union[bool, None, Callable[[str, int, int], Any]]

_FORMATS = ("pandas", "polars", "arrow")


# ---------------------------------------------------------------------------------------------
# Tables


def _table(data: pa.Table, output: str) -> Any:
    """Converts an Arrow table to the requested output: pandas, polars or arrow."""
    if output == "arrow":
        return data
    if output == "pandas":
        return data.to_pandas()
    if output == "polars":
        try:
            import polars as pl
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise UsageError("output='polars' needs polars: pip install polars") from e
        return pl.from_arrow(data)
    raise UsageError(f"output={output!r}: allowed: {', '.join(map(repr, _FORMATS))}")


def _check_output(output: str) -> str:
    if output not in _FORMATS:
        raise UsageError(f"output={output!r}: allowed: {', '.join(map(repr, _FORMATS))}")
    return output


def _read_ipc(data: bytes) -> pa.Table:
    """Reads an Arrow IPC stream (one buffer, no row-by-row copy)."""
    return pa_ipc.open_stream(pa.py_buffer(data)).read_all()


# ---------------------------------------------------------------------------------------------
# Progress


class _PlainProgress:
    """Progress as plain lines on stderr, every 10%: for terminals and logs without tqdm."""

    def __init__(self) -> None:
        self._label = ""
        self._step = -1

    def __call__(self, label: str, done: int, total: int) -> None:
        if label != self._label:
            self._label, self._step = label, -1
        if total <= 0:
            return
        step = done * 10 // total
        if step != self._step:
            self._step = step
            print(f"herdlab: {label}: {done}/{total} paths", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Nothing to close."""


class _TqdmProgress:
    """Progress as a tqdm bar (tqdm.auto: a widget in Jupyter, a bar in terminals)."""

    def __init__(self, tqdm: Any) -> None:
        self._tqdm = tqdm
        self._bar: Any = None
        self._label: str | None = None

    def __call__(self, label: str, done: int, total: int) -> None:
        if label != self._label or self._bar is None:
            self.close()
            self._label = label
            # `initial` so that paths done before the bar existed do not count in its rate.
            self._bar = self._tqdm(total=total, desc=label, unit="path", initial=done)
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Closes the current bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _progress(progress: Progress) -> Any:
    """The callback for ``progress=``, or None."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return _PlainProgress()
        return _TqdmProgress(tqdm)
    if callable(progress):
        return progress
    raise UsageError(
        f"progress={progress!r}: allowed: True, False, None or a callable(label, done, total)"
    )


def _close(callback: Any) -> None:
    close = getattr(callback, "close", None)
    if isinstance(callback, (_PlainProgress, _TqdmProgress)) and close is not None:
        close()


def _count(name: str, value: Any, *, minimum: int) -> int | None:
    """Checks an optional integer argument."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{name}={value!r}: allowed: an integer >= {minimum}, or None")
    if value < minimum:
        raise UsageError(f"{name}={value!r}: allowed: an integer >= {minimum}, or None")
    return value


def _settings(paths: Any, seed: Any, threads: Any, max_memory: Any) -> dict[str, Any]:
    if max_memory is not None and not isinstance(max_memory, str):
        max_memory = str(max_memory)
    return {
        "paths": _count("paths", paths, minimum=1),
        "seed": _count("seed", seed, minimum=0),
        "threads": _count("threads", threads, minimum=1),
        "max_memory": max_memory,
    }


# ---------------------------------------------------------------------------------------------
# Scenarios

_INDEX = re.compile(r"^([^\[\]]+)((?:\[\d+\])*)$")


class Scenario:
    """A scenario: loaded from a bundled name or a TOML file, inspected, edited, validated, saved.

    Keys are dotted paths into the scenario file, with ``[i]`` for array elements:
    ``"models.similarity"``, ``"banks[2].equity"``, ``"run.paths"``.
    """

    def __init__(self, draft: _core.ScenarioDraft) -> None:
        self._draft = draft

    @property
    def source(self) -> str:
        """Where the scenario came from: a bundled name or a file path."""
        return self._draft.source

    @property
    def name(self) -> str:
        """The scenario's ``name`` field."""
        return str(self.to_dict().get("name", ""))

    @property
    def edited(self) -> bool:
        """Whether :meth:`set` changed it since it was loaded."""
        return self._draft.edited

    def to_dict(self) -> dict[str, Any]:
        """The scenario's fields as a (fresh) nested dict."""
        return json.loads(self._draft.to_json())

    def to_toml(self) -> str:
        """The scenario as TOML text."""
        return self._draft.to_toml()

    def get(self, key: str) -> Any:
        """The value at the dotted ``key``; raises ``KeyError`` naming the key if it is absent."""
        node: Any = self.to_dict()
        for part in key.split("."):
            m = _INDEX.match(part)
            if m is None:
                raise KeyError(f"{key}: `{part}` is not a field name or field[index]")
            try:
                node = node[m.group(1)]
                for i in re.findall(r"\[(\d+)\]", m.group(2)):
                    node = node[int(i)]
            except (KeyError, IndexError, TypeError):
                raise KeyError(f"{key}: no such field in scenario {self.source}") from None
        return node

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def set(self, key: str, value: Any) -> Scenario:
        """Sets the dotted ``key`` to ``value`` (bool, int, float, str or a list of them).

        Values are checked by :meth:`validate` (and before every run). Returns ``self`` so calls
        chain: ``s.set("models.similarity", 0.9).set("run.paths", 500)``.
        """
        self._draft.set(key, value)
        return self

    def __setitem__(self, key: str, value: Any) -> None:
        self.set(key, value)

    def copy(self) -> Scenario:
        """An independent copy (edits to it leave this one alone)."""
        return Scenario(self._draft.copy())

    def validate(self) -> list[str]:
        """Checks every field; returns the warnings (valid but degenerate settings).

        Raises :class:`ScenarioError` listing every problem; its ``problems`` attribute holds
        ``(field, value, allowed)`` tuples.
        """
        return list(self._draft.validate())

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Writes the scenario as TOML to ``path``; returns the path."""
        p = Path(path)
        try:
            p.write_text(self.to_toml(), encoding="utf-8")
        except OSError as e:
            raise FileError(f"{p}: cannot write: {e}") from e
        return p

    def _as_argument(self, folder: Path, index: int) -> str:
        """A scenario argument for the service layer: the source if unedited, else a file."""
        if not self.edited:
            return self._draft.argument
        path = folder / f"scenario-{index}.toml"
        self.save(path)
        return str(path)

    def __repr__(self) -> str:
        edited = ", edited" if self.edited else ""
        return f"<herdlab.Scenario {self.name!r} from {self.source!r}{edited}>"


def scenario(name_or_path: str | os.PathLike[str] | Scenario) -> Scenario:
    """Loads a scenario: a bundled scenario's name (``"regional-monoculture"``) or a TOML file.

    Raises :class:`ScenarioError` if there is no such scenario or it cannot be parsed.
    """
    if isinstance(name_or_path, Scenario):
        return name_or_path
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise UsageError(
            f"scenario={name_or_path!r}: allowed: a bundled scenario's name or a file path"
        )
    return Scenario(_core.ScenarioDraft.load(os.fspath(name_or_path)))


_scenario = scenario  # for functions whose `scenario` argument hides it


# ---------------------------------------------------------------------------------------------
# Results


class Result:
    """One run: tables of its paths and aggregates, its manifest, and :meth:`save`.

    Tables are pandas DataFrames by default (``output="polars"`` or ``"arrow"`` at :func:`run` or
    :func:`load`).
    """

    def __init__(self, data: _core.RunData, output: str = "pandas") -> None:
        self._data = data
        self._output = _check_output(output)

    @property
    def summary(self) -> Any:
        """Tidy summary: one row per measure (and region): measure, region, n, mean, se, lo, hi,
        unit. ``lo``/``hi`` bound the 95% confidence interval of the mean (Student t)."""
        return _table(_read_ipc(self._data.summary_ipc()), self._output)

    @property
    def paths(self) -> Any:
        """One row per path: ``path`` and every per-path measure (the columns of paths.csv and
        the table of paths.parquet); counts (firms, banks, quarters, 0/1 flags) are integers."""
        return _table(_read_ipc(self._data.paths_ipc()), self._output)

    @property
    def quarters(self) -> Any:
        """Per path and quarter, long format (the table of path_quarters.parquet): path, quarter,
        measure, region, family, value, unit. ``region`` is empty (None) but for the per-region
        measures, ``family`` but for the model families' records (``family_share`` ...)."""
        return _table(_read_ipc(self._data.quarters_ipc()), self._output)

    @property
    def banks(self) -> Any:
        """Per path, quarter and bank, long format: path, quarter, bank, equity, income,
        loss_credit, loss_bonds, loss_interbank, loss_fire_sales, loss_shock, loans (the SME book
        at the quarter's end), new_lending (money), applications and approvals (integer counts;
        rejections are ``applications - approvals``); ``None`` when the scenario turned bank
        detail off (``run.bank_detail = false``)."""
        data = self._data.banks_ipc()
        return None if data is None else _table(_read_ipc(data), self._output)

    @property
    def manifest(self) -> dict[str, Any]:
        """The run's manifest (program version, scenario, seed, paths, threads, overrides...)."""
        return json.loads(self._data.manifest_json())

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario as run (validated, every default filled in)."""
        return json.loads(self._data.scenario_json())

    def save(self, folder: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Writes the result folder ``herdlab run`` writes (manifest.json, summary.json,
        paths.csv, paths.parquet, quarters.csv...); ``force`` replaces an existing folder."""
        return Path(self._data.save(os.fspath(folder), force))

    def __repr__(self) -> str:
        m = self.manifest
        return f"<herdlab.Result {m['scenario_name']!r}: {m['paths']} paths, seed {m['seed']}>"


def run(
    scenario: str | os.PathLike[str] | Scenario,
    *,
    paths: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    max_memory: str | None = None,
    progress: Progress = True,
    output: str = "pandas",
) -> Result:
    """Runs a scenario and returns its :class:`Result` (nothing is written until ``.save``).

    ``paths`` and ``seed`` override the scenario's ``run.paths`` and ``run.seed``; ``threads``
    defaults to one per core (results do not depend on it); ``max_memory`` is a size such as
    ``"8G"`` or ``"none"``. The GIL is released while the engine runs; Ctrl-C (KeyboardInterrupt)
    stops the run cleanly.
    """
    s = _scenario(scenario)
    _check_output(output)
    callback = _progress(progress)
    try:
        data = _core.run(
            s._draft,
            **_settings(paths, seed, threads, max_memory),
            progress=callback,
            command_line=["python", "herdlab.run", s.source],
        )
    finally:
        _close(callback)
    return Result(data, output)


class Comparison:
    """A comparison of scenarios on common random numbers: paired differences against the first.

    ``differences`` has one row per scenario and measure: scenario, reference, measure, unit, n,
    mean_reference, mean_scenario, difference, std_error, low, high, confidence, correlation.
    ``results`` maps each scenario's folder name to its :class:`Result`.
    """

    def __init__(self, folder: Path, output: str = "pandas") -> None:
        self.folder = folder
        self._output = _check_output(output)
        index = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        self.index: dict[str, Any] = index

    @property
    def differences(self) -> Any:
        """The paired differences (comparison.csv) as a table."""
        return _table(pa_csv.read_csv(self.folder / "comparison.csv"), self._output)

    @property
    def results(self) -> dict[str, Result]:
        """Each scenario's run, by folder name, read from the comparison folder."""
        out = {}
        for d in sorted(p for p in self.folder.iterdir() if (p / "manifest.json").is_file()):
            out[d.name] = Result(_core.load_run(str(d)), self._output)
        return out

    def __repr__(self) -> str:
        return f"<herdlab.Comparison in {str(self.folder)!r}>"


def _work_folder(out: str | os.PathLike[str] | None, prefix: str) -> Path:
    if out is not None:
        return Path(out)
    return Path(tempfile.mkdtemp(prefix=f"herdlab-{prefix}-")) / "result"


def compare(
    a: str | os.PathLike[str] | Scenario,
    b: str | os.PathLike[str] | Scenario,
    *others: str | os.PathLike[str] | Scenario,
    paths: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    max_memory: str | None = None,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
    progress: Progress = True,
    output: str = "pandas",
) -> Any:
    """Compares ``b`` (and ``others``) with ``a`` on the same paths and seed (common random
    numbers) and returns the paired differences as a table (see :class:`Comparison`).

    The comparison folder ``herdlab compare`` writes goes to ``out`` (a temporary folder if not
    given); ``load(out)`` reads it back as a :class:`Comparison`.
    """
    _check_output(output)
    folder = _work_folder(out, "compare")
    scratch = Path(tempfile.mkdtemp(prefix="herdlab-scenarios-"))
    names = [scenario(x)._as_argument(scratch, i) for i, x in enumerate((a, b, *others))]
    callback = _progress(progress)
    try:
        done = _core.compare(
            names,
            out=str(folder),
            **_settings(paths, seed, threads, max_memory),
            force=force,
            progress=callback,
            command_line=["python", "herdlab.compare", *names],
        )
    finally:
        _close(callback)
    return Comparison(Path(done), output).differences


def _vary_spec(key: str, values: Iterable[Any]) -> str:
    vals = list(values)
    if not isinstance(key, str) or not vals:
        raise UsageError(f"sweep: {key!r}: allowed: a dotted key with a non-empty list of numbers")
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise UsageError(f"sweep: {key} = {v!r}: allowed: numbers only")
    return f"{key}={','.join(repr(float(v)) if isinstance(v, float) else str(v) for v in vals)}"


class Sweep:
    """A sweep: one run per cell of a grid of parameter values.

    ``grid`` is tidy: one row per cell and headline measure, with a column per swept parameter,
    then measure, mean, se, lo, hi.
    """

    def __init__(self, folder: Path, output: str = "pandas") -> None:
        self.folder = folder
        self._output = _check_output(output)
        self.index: dict[str, Any] = json.loads(
            (folder / "sweep.json").read_text(encoding="utf-8")
        )

    @property
    def grid(self) -> Any:
        """The sweep's cells and headline measures in long (tidy) form."""
        wide = pa_csv.read_csv(self.folder / "grid.csv")
        names = wide.column_names
        suffixes = ("_mean", "_std_error", "_low", "_high")
        measures = []
        for n in names:
            if n.endswith("_mean") and all(n[: -len("_mean")] + s in names for s in suffixes):
                measures.append(n[: -len("_mean")])
        taken = {m + s for m in measures for s in suffixes}
        keys = [n for n in names if n not in taken]
        cols: dict[str, list[Any]] = {k: [] for k in keys}
        cols.update({"measure": [], "mean": [], "se": [], "lo": [], "hi": []})
        data = wide.to_pydict()
        for i in range(wide.num_rows):
            for m in measures:
                for k in keys:
                    cols[k].append(data[k][i])
                cols["measure"].append(m)
                cols["mean"].append(data[m + "_mean"][i])
                cols["se"].append(data[m + "_std_error"][i])
                cols["lo"].append(data[m + "_low"][i])
                cols["hi"].append(data[m + "_high"][i])
        return _table(pa.table(cols), self._output)

    def result(self, cell: int) -> Result:
        """The run of cell ``cell`` (1-based, as in ``grid``)."""
        cells = self.index.get("cells", [])
        for c in cells:
            if c.get("cell") == cell:
                return Result(_core.load_run(str(self.folder / c["folder"])), self._output)
        raise UsageError(f"cell={cell!r}: allowed: 1..{len(cells)}")

    def __repr__(self) -> str:
        return f"<herdlab.Sweep in {str(self.folder)!r}>"


def sweep(
    scenario: str | os.PathLike[str] | Scenario,
    grid: Mapping[str, Sequence[float]],
    *,
    paths: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    max_memory: str | None = None,
    out: str | os.PathLike[str] | None = None,
    force: bool = False,
    progress: Progress = True,
    output: str = "pandas",
) -> Any:
    """Runs ``scenario`` once per cell of ``grid`` (``{"models.similarity": [0, 0.5, 1]}``; the
    first key varies slowest) and returns one tidy table with a column per swept parameter (see
    :class:`Sweep`). The sweep folder ``herdlab sweep`` writes goes to ``out`` (a temporary
    folder if not given); ``load(out)`` reads it back.
    """
    _check_output(output)
    if not isinstance(grid, Mapping) or not grid:
        raise UsageError(f"grid={grid!r}: allowed: a non-empty dict of dotted key -> values")
    vary = [_vary_spec(k, v) for k, v in grid.items()]
    folder = _work_folder(out, "sweep")
    scratch = Path(tempfile.mkdtemp(prefix="herdlab-scenarios-"))
    name = _scenario(scenario)._as_argument(scratch, 0)
    callback = _progress(progress)
    try:
        done = _core.sweep(
            name,
            vary,
            out=str(folder),
            **_settings(paths, seed, threads, max_memory),
            force=force,
            progress=callback,
            command_line=["python", "herdlab.sweep", name, *vary],
        )
    finally:
        _close(callback)
    return Sweep(Path(done), output).grid


def load(folder: str | os.PathLike[str], *, output: str = "pandas") -> Result | Comparison | Sweep:
    """Reads any result folder: a run or merged shards (:class:`Result`), a comparison
    (:class:`Comparison`) or a sweep (:class:`Sweep`).

    Raises :class:`FileError` if the folder is none of these.
    """
    _check_output(output)
    p = Path(folder)
    if (p / "manifest.json").is_file():
        return Result(_core.load_run(str(p)), output)
    if (p / "comparison.json").is_file():
        return Comparison(p, output)
    if (p / "sweep.json").is_file():
        return Sweep(p, output)
    raise FileError(
        f"{p}: not a result folder: allowed: a folder with manifest.json (a run or merged "
        "shards), comparison.json (a comparison) or sweep.json (a sweep)"
    )


# ---------------------------------------------------------------------------------------------
# Decision logs and the herding monitor


def _whole(name: str, value: Any, *, minimum: int, maximum: int = 2**64 - 1) -> int:
    """Checks a required whole-number argument."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise UsageError(f"{name}={value!r}: allowed: an integer from {minimum} to {maximum}")
    return value


def decision_log(
    scenario: str | os.PathLike[str] | Scenario,
    path: int = 0,
    *,
    seed: int | None = None,
    output: str = "pandas",
) -> Any:
    """The engine's decision log of one path of ``scenario`` (MODEL.md §10) as a table.

    One row per credit decision of a bank on a firm's application, in the order the engine made
    them, with the columns ``herdlab run --decision-log PATH`` writes: path, quarter (1-based),
    bank, applicant (``f<firm>``), approved, region, family (the bank's model family), amount
    (money asked), creditworthy (known ex post), position (the bank's 1-based place in the firm's
    application order) and funded. It is a log of parallel applications: every bank of a firm's
    order decides, also those after the one that funded it (docs/monitor.md says why); keep each
    firm's rows up to ``funded`` for the sequential log.

    The path is simulated again, bit for bit path ``path`` of ``herdlab.run(scenario)`` (with
    the same ``seed``, which overrides ``run.seed``), so it must be a path of the run:
    ``0 <= path < run.paths``. The GIL is released while the engine runs; Ctrl-C stops it.
    Pandas dtypes: bool for approved, creditworthy and funded; unsigned integers for path,
    quarter and position; float for amount; strings for the names.
    """
    s = _scenario(scenario)
    _check_output(output)
    data = _core.decision_log(
        s._draft,
        _whole("path", path, minimum=0),
        seed=_count("seed", seed, minimum=0),
    )
    return _table(_read_ipc(data), output)


def write_decision_log(
    scenario: str | os.PathLike[str] | Scenario,
    path: int,
    folder: str | os.PathLike[str],
    *,
    seed: int | None = None,
) -> list[Path]:
    """Writes the decision log of path ``path`` of ``scenario`` (see :func:`decision_log`) as
    ``folder/path-P.csv`` and ``folder/path-P.parquet``, the files ``herdlab run
    --decision-log P`` writes into ``DIR/decision-log/``; returns their paths (CSV first).

    ``folder`` is created if missing; each file is written to a temporary name and renamed into
    place. Either file is a log :func:`monitor` reads.
    """
    s = _scenario(scenario)
    files = _core.write_decision_log(
        s._draft,
        _whole("path", path, minimum=0),
        os.fspath(folder),
        seed=_count("seed", seed, minimum=0),
    )
    return [Path(f) for f in files]


def _measures_table(data: pa.Table, output: str) -> Any:
    """A monitor table; in pandas ``over_threshold`` is the nullable ``boolean`` dtype (it is
    undefined where the measure is)."""
    out = _table(data, output)
    if output == "pandas" and "over_threshold" in out.columns:
        out["over_threshold"] = out["over_threshold"].astype("boolean")
    return out


class MonitorResult:
    """What the herding monitor found in a decision log (see :func:`monitor`).

    ``quarters`` and ``regions`` have one row per quarter (and region) with every measure of
    docs/monitor.md: quarter, region, rows, applicants, banks, approval_rate,
    measured_applicants, multi_bank_applicants, systemic_rejection,
    systemic_rejection_baseline, systemic_rejection_ratio, ratio_ci_low, ratio_ci_high,
    decision_agreement, agreement_pairs, agreement_shared, same_family_agreement,
    cross_family_agreement, same_family_share, shared_model_excess, lsv, lsv_markets,
    over_threshold, alarm. Undefined measures are NaN (null in polars and arrow);
    ``over_threshold`` is a nullable boolean. ``alarms`` has one row per alarm raised.
    """

    def __init__(self, data: _core.MonitorData, output: str = "pandas") -> None:
        self._data = data
        self._output = _check_output(output)

    @property
    def quarters(self) -> Any:
        """The whole log's measures, one row per quarter (``region`` empty)."""
        return _measures_table(_read_ipc(self._data.quarters_ipc()), self._output)

    @property
    def regions(self) -> Any:
        """Each region's measures, by quarter then region name (no rows without a ``region``
        column in the log). ``lsv`` is computed for the whole log only."""
        return _measures_table(_read_ipc(self._data.regions_ipc()), self._output)

    @property
    def alarms(self) -> Any:
        """The alarms raised, the whole log's first, then each region's, in quarter order:
        region (empty for the whole log), measure, first_quarter_over, raised_quarter,
        response_quarter, value (the measure in the raising quarter)."""
        return _table(_read_ipc(self._data.alarms_ipc()), self._output)

    @property
    def alarm_raised(self) -> bool:
        """Whether any alarm was raised (``herdlab monitor`` then exits with status 10)."""
        return self._data.alarm_raised

    @property
    def rows(self) -> int:
        """Data rows read from the log."""
        return self._data.rows

    @property
    def summary(self) -> dict[str, Any]:
        """The whole report as a dict, as in the result folder's ``summary.json``: log, format,
        rows, settings, creditworthy_known, quarters, regions, alarms, pending_quarter,
        peak_state_bytes."""
        return json.loads(self._data.summary_json())

    def save(self, folder: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Writes the result folder ``herdlab monitor`` writes (summary.json, quarters.csv,
        quarters.parquet, a chart per defined measure, report.html, manifest.json);
        ``force`` replaces an existing herdlab result folder. Returns the folder."""
        return Path(self._data.save(os.fspath(folder), force))

    def __repr__(self) -> str:
        n = len(self.summary["alarms"])
        return f"<herdlab.MonitorResult: {self.rows} rows, {n} alarm(s)>"


def monitor(
    log: Any,
    *,
    measure: str = "shared-model-excess",
    threshold: float = 0.06,
    persistence: int = 2,
    lag: int = 1,
    min_shared: int = 30,
    resamples: int = 999,
    alarm: bool = True,
    output: str = "pandas",
) -> MonitorResult:
    """Runs the herding monitor (docs/monitor.md) on a decision log and returns a
    :class:`MonitorResult` (nothing is written until ``.save``), as ``herdlab monitor`` does.

    ``log`` is a CSV file with a header or a Parquet file (told apart by content), or a table in
    memory (a pandas or polars DataFrame, a pyarrow Table), with columns quarter, bank,
    applicant, approved and optionally region, family, amount, creditworthy, sorted by quarter;
    :func:`write_decision_log` writes the engine's own, :func:`decision_log` returns it as a
    DataFrame. A table is handed to the monitor as Parquet in a temporary file (removed after),
    so it is checked exactly as a file is; errors name ``<DataFrame>`` and its 1-based row.

    The alarm rule: ``measure`` (``"systemic-rejection-ratio"``, ``"decision-agreement"``,
    ``"lsv"`` or ``"shared-model-excess"``) strictly above ``threshold`` for ``persistence``
    consecutive quarters raises an alarm, the response starting ``lag`` quarters later;
    ``alarm=False`` computes none. The default rule is the one docs/monitor.md chose to tell
    ``regional-monoculture`` from its diverse twin (the CLI's default is the
    systemic-rejection ratio above 2.5). ``min_shared`` is the fewest shared applicants for a
    bank pair to enter decision agreement (>= 2); ``resamples`` the bootstrap resamples of the
    systemic-rejection ratio's interval (0: none, much faster).

    The log is read with the GIL released. A log the monitor refuses raises
    :class:`MonitorError` (a :class:`FileError`) with the monitor's message and ``file``,
    ``row``, ``line``, ``column``, ``value`` attributes where it says them; a setting out of
    range raises :class:`UsageError`. Ctrl-C raises ``KeyboardInterrupt`` at once (the read
    finishes in the background and is dropped).
    """
    _check_output(output)
    table = _as_arrow_table(log)
    if table is None and not isinstance(log, (str, os.PathLike)):
        raise UsageError(
            f"log={type(log).__name__}: allowed: the path of a CSV or Parquet decision log, "
            "or a pandas/polars DataFrame or pyarrow Table"
        )
    if not isinstance(alarm, bool):
        raise UsageError(f"alarm={alarm!r}: allowed: True or False")
    if not isinstance(measure, str):
        raise UsageError(f"measure={measure!r}: allowed: a measure's name")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise UsageError(f"threshold={threshold!r}: allowed: a finite number")
    u32 = 2**32 - 1
    settings = dict(
        measure=measure if alarm else None,
        threshold=float(threshold),
        persistence=_whole("persistence", persistence, minimum=1, maximum=u32),
        lag=_whole("lag", lag, minimum=0, maximum=u32),
        min_shared=_whole("min_shared", min_shared, minimum=2),
        resamples=_whole("resamples", resamples, minimum=0, maximum=u32),
    )
    if table is None:
        return MonitorResult(_core.measure_log(os.fspath(log), **settings), output)
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="herdlab-log-") as tmp:
        path = os.path.join(tmp, "log.parquet")
        pq.write_table(table, path)
        try:
            data = _core.measure_log(path, **settings)
        except MonitorError as e:
            raise _relabel(e, path) from None
    return MonitorResult(data, output)


def _as_arrow_table(log: Any) -> Any:
    """A pandas or polars DataFrame or a pyarrow Table as a pyarrow Table; None for anything
    else (a path)."""
    if isinstance(log, pa.Table):
        return log
    module = type(log).__module__.split(".")[0]
    if module == "pandas" and type(log).__name__ == "DataFrame":
        return pa.Table.from_pandas(log, preserve_index=False)
    if module == "polars" and type(log).__name__ == "DataFrame":
        return log.to_arrow()
    return None


def _relabel(e: MonitorError, path: str) -> MonitorError:
    """The monitor's error on the temporary file of an in-memory table, told about the table."""
    message = str(e).replace(path, "<DataFrame>")
    new = MonitorError(message)
    for attr in ("row", "line", "column", "value"):
        setattr(new, attr, getattr(e, attr, None))
    new.file = None
    new.line = None
    return new
