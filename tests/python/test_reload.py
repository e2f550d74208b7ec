"""Hot reload from Python while another thread evaluates: a broken edit and a test-failing edit are
refused (the old version keeps answering), a good edit is taken, and the evaluating thread never
sees an error."""

from __future__ import annotations

import shutil
import sys
import threading
import time

import policylang
from conftest import AS_OF

D2 = "hk.employment.part_time_max_hours_per_week"


def wait_for(events, count, timeout=60.0):
    deadline = time.monotonic() + timeout
    while len(events) < count:
        assert time.monotonic() < deadline, f"only {len(events)} reload events: {events}"
        time.sleep(0.05)


def test_reloads_while_another_thread_evaluates(root, cases, tmp_path):
    live_dir = tmp_path / "policies"
    shutil.copytree(root / "policies", live_dir)
    employment = live_dir / "hk" / "employment.policy"
    original = employment.read_text()
    events = []
    seen_versions = set()
    failures = []
    stop = threading.Event()

    with policylang.LivePolicySet([str(live_dir)], on_reload=events.append, debounce_ms=50) as live:
        first = live.current()

        def evaluate():
            generation = -1
            decision = None
            while not stop.is_set():
                if live.generation != generation:  # re-resolve only when a new version serves
                    generation = live.generation
                    current = live.current()
                    decision = current.decision(D2)
                    seen_versions.add(current.version)
                try:
                    if decision.evaluate(cases["hk_mainland_undergraduate"], as_of=AS_OF).value != 20:
                        failures.append("wrong value")
                except policylang.PolicyError as e:  # pragma: no cover - the test fails on it
                    failures.append(e)

        worker = threading.Thread(target=evaluate)
        worker.start()
        time.sleep(0.3)

        employment.write_text(original + "\ndecision broken(\n")
        wait_for(events, 1)
        employment.write_text(original.replace("value 20 effective from 2014-03-17", "value 24 effective from 2014-03-17"))
        wait_for(events, 2)
        time.sleep(0.3)
        employment.write_text(original)
        wait_for(events, 3)
        deadline = time.monotonic() + 30
        while events[2]["version"] not in seen_versions and time.monotonic() < deadline:
            time.sleep(0.01)  # until the worker has answered on the new version
        stop.set()
        worker.join()

        assert [e["swapped"] for e in events] == [False, False, True]
        assert isinstance(events[0]["error"], policylang.CompileError)
        assert events[0]["error"].diagnostics[0]["file"].endswith("employment.policy")
        assert isinstance(events[1]["error"], policylang.TestsFailedError)
        assert events[2]["error"] is None
        assert live.current().version == events[2]["version"] != first.version
        assert live.last_error is None
        assert seen_versions == {first.version, events[2]["version"]}
        assert failures == []
        # Refused edits left the first version serving until the good one.
        assert events[0]["version"] == events[1]["version"] == first.version


def test_reload_now_and_a_callback_that_raises(root, tmp_path, monkeypatch):
    live_dir = tmp_path / "policies"
    shutil.copytree(root / "policies", live_dir)
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    def bad_callback(event):
        raise RuntimeError("a bug in the callback")

    live = policylang.LivePolicySet([str(live_dir)], on_reload=bad_callback)
    # The callback's exception goes to sys.unraisablehook, never into the engine's thread.
    event = live.reload_now()
    assert event["swapped"] is True and event["error"] is None
    assert [type(r.exc_value) for r in reported] == [RuntimeError]
    live.close()
    live.close()  # closing twice is harmless
    try:
        live.current()
    except ValueError as e:
        assert "closed" in str(e)
    else:
        raise AssertionError("a closed live set answered")
