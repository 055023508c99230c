"""`nst-tf serve`: its help loads no TensorFlow, and it listens on 127.0.0.1 unless told."""

import subprocess
import sys

from nst_tf.cli import main as cli
from nst_tf.cli import serve_command


def test_serve_help_loads_no_tensorflow(tmp_path):
    check = (
        "import sys; from nst_tf.cli import main; code = main.main(['nst-tf', 'serve', '--help']); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF loaded'; "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--host" in done.stdout and "--port" in done.stdout and "--vgg-weights" in done.stdout
    assert "--allowed-host" in done.stdout and "--allowed-origin" in done.stdout


def test_serve_is_a_command_listening_on_loopback_by_default():
    assert cli.COMMANDS["serve"] is serve_command.COMMAND
    fv = serve_command.define_flags()
    assert fv["host"].default == "127.0.0.1" and fv["port"].default == 8000


def test_serve_refuses_a_bad_port(capsys):
    assert cli.main(["nst-tf", "serve", "--port", "0"]) == 2
    assert "port" in capsys.readouterr().err


def test_serve_passes_its_host_names_and_origins_to_the_app(monkeypatch):
    import uvicorn

    from nst_tf.serve import app as webapp

    made = {}
    monkeypatch.setattr(webapp, "create_app", lambda **settings: made.update(settings) or "app")
    monkeypatch.setattr(uvicorn, "run", lambda app, **settings: made.update(ran=app))
    code = cli.main(["nst-tf", "serve", "--host", "0.0.0.0", "--allowed-host", "studio.lan",
                     "--allowed-host", "box.lan", "--allowed-origin", "http://studio.lan:3000"])  # fmt: skip
    assert code == 0 and made["ran"] == "app"
    assert made["host"] == "0.0.0.0" and made["allowed_hosts"] == ("studio.lan", "box.lan")
    assert made["allowed_origins"] == ("http://studio.lan:3000",)
