"""Type stubs of the ``herdlab`` package (pandas by default; polars or pyarrow on request)."""

import os
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Sequence, Union

from ._core import (
    FileError as FileError,
    HerdlabError as HerdlabError,
    Interrupted as Interrupted,
    MonitorError as MonitorError,
    RunError as RunError,
    ScenarioError as ScenarioError,
    UsageError as UsageError,
)

__version__: str

Progress = Union[bool, None, Callable[[str, int, int], Any]]
Output = Literal["pandas", "polars", "arrow"]
_PathLike = Union[str, os.PathLike[str]]

class Scenario:
    """A scenario: loaded, inspected, edited with dotted keys, validated, saved."""

    @property
    def source(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def edited(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_toml(self) -> str: ...
    def get(self, key: str) -> Any: ...
    def __getitem__(self, key: str) -> Any: ...
    def set(self, key: str, value: Any) -> Scenario: ...
    def __setitem__(self, key: str, value: Any) -> None: ...
    def copy(self) -> Scenario: ...
    def validate(self) -> list[str]: ...
    def save(self, path: _PathLike) -> Path: ...

class Result:
    """One run: summary, paths, quarters, manifest; save() writes the CLI's result folder."""

    @property
    def summary(self) -> Any: ...
    @property
    def paths(self) -> Any: ...
    @property
    def quarters(self) -> Any: ...
    @property
    def banks(self) -> Any: ...
    @property
    def manifest(self) -> dict[str, Any]: ...
    @property
    def scenario(self) -> dict[str, Any]: ...
    def save(self, folder: _PathLike, *, force: bool = False) -> Path: ...

class Comparison:
    """A comparison folder: paired differences and each scenario's run."""

    folder: Path
    index: dict[str, Any]
    @property
    def differences(self) -> Any: ...
    @property
    def results(self) -> dict[str, Result]: ...

class Sweep:
    """A sweep folder: the tidy grid and each cell's run."""

    folder: Path
    index: dict[str, Any]
    @property
    def grid(self) -> Any: ...
    def result(self, cell: int) -> Result: ...

class MonitorResult:
    """The herding monitor's measures and alarms on a decision log; save() writes its folder."""

    @property
    def quarters(self) -> Any: ...
    @property
    def regions(self) -> Any: ...
    @property
    def alarms(self) -> Any: ...
    @property
    def alarm_raised(self) -> bool: ...
    @property
    def rows(self) -> int: ...
    @property
    def summary(self) -> dict[str, Any]: ...
    def save(self, folder: _PathLike, *, force: bool = False) -> Path: ...

Measure = Literal["systemic-rejection-ratio", "decision-agreement", "lsv", "shared-model-excess"]

def scenario(name_or_path: Union[_PathLike, Scenario]) -> Scenario: ...
def run(
    scenario: Union[_PathLike, Scenario],
    *,
    paths: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    max_memory: str | None = None,
    progress: Progress = True,
    output: Output = "pandas",
) -> Result: ...
def compare(
    a: Union[_PathLike, Scenario],
    b: Union[_PathLike, Scenario],
    *others: Union[_PathLike, Scenario],
    paths: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    max_memory: str | None = None,
    out: _PathLike | None = None,
    force: bool = False,
    progress: Progress = True,
    output: Output = "pandas",
) -> Any: ...
def sweep(
    scenario: Union[_PathLike, Scenario],
    grid: Mapping[str, Sequence[float]],
    *,
    paths: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    max_memory: str | None = None,
    out: _PathLike | None = None,
    force: bool = False,
    progress: Progress = True,
    output: Output = "pandas",
) -> Any: ...
def load(folder: _PathLike, *, output: Output = "pandas") -> Union[Result, Comparison, Sweep]: ...
def decision_log(
    scenario: Union[_PathLike, Scenario],
    path: int = 0,
    *,
    seed: int | None = None,
    output: Output = "pandas",
) -> Any: ...
def write_decision_log(
    scenario: Union[_PathLike, Scenario],
    path: int,
    folder: _PathLike,
    *,
    seed: int | None = None,
) -> list[Path]: ...
def monitor(
    log: _PathLike | Any,
    *,
    measure: Measure = "shared-model-excess",
    threshold: float = 0.06,
    persistence: int = 2,
    lag: int = 1,
    min_shared: int = 30,
    resamples: int = 999,
    alarm: bool = True,
    output: Output = "pandas",
) -> MonitorResult: ...
