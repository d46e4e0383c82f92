"""Type stubs of the compiled module ``herdlab._core`` (internal: use the ``herdlab`` package)."""

from pathlib import Path
from typing import Any, Callable, Optional

class HerdlabError(Exception):
    """Base class of every herdlab error."""

class ScenarioError(HerdlabError):
    """A scenario that cannot be read or is invalid."""

    problems: list[tuple[str, str, str]]

class UsageError(HerdlabError):
    """An argument that is not allowed."""

class FileError(HerdlabError):
    """A file or folder that cannot be read or written."""

class MonitorError(FileError):
    """A decision log the herding monitor cannot read or refuses."""

    file: Optional[str]
    row: Optional[int]
    line: Optional[int]
    column: Optional[str]
    value: Optional[str]

class RunError(HerdlabError):
    """A run that cannot be carried out."""

class Interrupted(HerdlabError):
    """A run stopped before it finished."""

class ScenarioDraft:
    """A scenario being edited."""

    @staticmethod
    def load(name_or_path: str) -> ScenarioDraft: ...
    @staticmethod
    def from_toml(text: str, label: str) -> ScenarioDraft: ...
    @property
    def source(self) -> str: ...
    @property
    def edited(self) -> bool: ...
    @property
    def argument(self) -> str: ...
    def copy(self) -> ScenarioDraft: ...
    def to_toml(self) -> str: ...
    def to_json(self) -> str: ...
    def set(self, key: str, value: Any) -> None: ...
    def validate(self) -> list[str]: ...

class RunData:
    """A finished run kept in memory."""

    def summary_ipc(self) -> bytes: ...
    def paths_ipc(self) -> bytes: ...
    def quarters_ipc(self) -> bytes: ...
    def banks_ipc(self) -> Optional[bytes]: ...
    def manifest_json(self) -> str: ...
    def scenario_json(self) -> str: ...
    def save(self, folder: str, force: bool) -> str: ...

class MonitorData:
    """The herding monitor's report on a decision log."""

    def quarters_ipc(self) -> bytes: ...
    def regions_ipc(self) -> bytes: ...
    def alarms_ipc(self) -> bytes: ...
    @property
    def rows(self) -> int: ...
    @property
    def alarm_raised(self) -> bool: ...
    def summary_json(self) -> str: ...
    def save(self, folder: str, force: bool) -> Path: ...

_Progress = Optional[Callable[[str, int, int], Any]]

def run(
    scenario: ScenarioDraft,
    *,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_memory: Optional[str] = None,
    progress: _Progress = None,
    command_line: list[str] = ...,
) -> RunData: ...
def load_run(folder: str) -> RunData: ...
def compare(
    scenarios: list[str],
    *,
    out: str,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_memory: Optional[str] = None,
    force: bool = False,
    progress: _Progress = None,
    command_line: list[str] = ...,
) -> str: ...
def sweep(
    scenario: str,
    vary: list[str],
    *,
    out: str,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_memory: Optional[str] = None,
    force: bool = False,
    progress: _Progress = None,
    command_line: list[str] = ...,
) -> str: ...
def decision_log(scenario: ScenarioDraft, path: int, *, seed: Optional[int] = None) -> bytes: ...
def write_decision_log(
    scenario: ScenarioDraft, path: int, folder: str, *, seed: Optional[int] = None
) -> list[Path]: ...
def measure_log(
    log: str,
    *,
    measure: Optional[str],
    threshold: float,
    persistence: int,
    lag: int,
    min_shared: int,
    resamples: int,
) -> MonitorData: ...
def version() -> str: ...
