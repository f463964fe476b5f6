"""The ten-line agent loop in the project README runs as printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from live import LiveTestCase

README = Path(__file__).resolve().parents[3] / "README.md"
SDK_ROOT = Path(__file__).resolve().parents[1]


def agent_loop_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("### The Python SDK", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the Python SDK section of README.md has a python code block"
    return match.group(1)


class ReadmeExampleTest(LiveTestCase):
    def test_the_agent_loop_runs_and_prints_the_result(self) -> None:
        code = agent_loop_example()
        self.assertLessEqual(len([line for line in code.splitlines() if line.strip()]), 12, "the loop stays about ten lines")
        env = {**os.environ, "AIRLOCK_URL": self.env.url, "AIRLOCK_TOKEN": self.env.agent_token, "PYTHONPATH": str(SDK_ROOT)}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.strip(), "45")
