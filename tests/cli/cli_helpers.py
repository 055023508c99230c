"""What the command-line tests share: running the CLI as a user does, and checking its errors."""

import subprocess
import sys

from support import REPO

from nst_tf.cli import main as cli

# Flags that make an optimisation tiny: random weights, 3 iterations at 48 px.
TINY = ["--vgg-weights", "none", "--iterations", "3", "--size", "48", "--quiet"]


def run_cli(*arguments):
    """Runs the CLI as a user does, in a new process (`python -m nst_tf`, found beside the
    interpreter, so the environment need not be activated)."""
    return subprocess.run(
        [sys.executable, "-m", "nst_tf", *arguments],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def expect_usage_error(capsys, arguments, message):
    """Runs the CLI in process; asserts exit code 2 and one line of error naming `message`."""
    code = cli.main(["nst-tf", *arguments])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("nst-tf: error: "), err
    assert message in err, err
