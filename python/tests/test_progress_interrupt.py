"""Progress callbacks, tqdm, and Ctrl-C (KeyboardInterrupt) cancelling a run cleanly."""

from __future__ import annotations

import signal
import threading
import time

import pytest

import herdlab


def test_the_progress_callback_sees_the_run_to_its_end() -> None:
    seen: list[tuple[str, int, int]] = []
    herdlab.run("baseline", paths=30, seed=1, progress=lambda *a: seen.append(a))
    assert seen, "the callback was never called"
    label, done, total = seen[-1]
    assert label == "baseline" and total == 30 and done == 30
    dones = [d for _, d, _ in seen]
    assert dones == sorted(dones)


def test_progress_true_works_with_or_without_tqdm(capsys: pytest.CaptureFixture[str]) -> None:
    herdlab.run("baseline", paths=5, seed=1, progress=True)
    err = capsys.readouterr().err
    assert "5" in err  # tqdm's bar or the plain lines, both on stderr


def test_an_exception_in_the_callback_stops_the_run_and_propagates() -> None:
    def boom(label: str, done: int, total: int) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        herdlab.run("regional-monoculture", paths=100_000, seed=1, progress=boom)


def test_ctrl_c_raises_keyboard_interrupt_and_cancels_quickly() -> None:
    # A run far longer than the test: SIGINT after 0.5 s must end it within a few seconds.
    timer = threading.Timer(0.5, signal.raise_signal, (signal.SIGINT,))
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            herdlab.run("regional-monoculture", paths=1_000_000, seed=1, progress=False)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 30
    # The engine is usable again afterwards.
    r = herdlab.run("baseline", paths=3, seed=1, progress=False)
    assert len(r.paths) == 3
