"""``movers build`` stopped by SIGTERM ends the jupyter-book it started, and what that started (issue 25,
case 13: SIGTERM to build left jupyter-book running)."""

import os
import signal
import subprocess
import sys
import time

import pytest

CHILD = "import subprocess, sys, time; p = subprocess.Popen(['sleep', '60']); open(sys.argv[1], 'w').write(str(p.pid)); time.sleep(60)"
PARENT = "import sys; from movers.book import build; build.run_child([sys.executable, '-c', sys.argv[1], sys.argv[2]])"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie waiting for its parent is not running
        return fh.read().split()[2] != "Z"


@pytest.mark.slow  # about 5 s: a fresh interpreter imports movers.book.build
def test_sigterm_to_the_build_ends_jupyter_book_and_its_children(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    build = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, str(pidfile)], env=env)
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.05)
    grandchild = int(pidfile.read_text())
    build.send_signal(signal.SIGTERM)
    assert build.wait(timeout=20) == 128 + signal.SIGTERM
    for _ in range(100):
        if not _alive(grandchild):
            break
        time.sleep(0.05)
    assert not _alive(grandchild)
