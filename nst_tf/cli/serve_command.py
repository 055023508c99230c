"""`nst-tf serve`: the local web app (needs the `web` extra: pip install "nst_tf[web]")."""

import importlib.util

from absl import flags

from nst_tf.cli import common
from nst_tf.errors import NstError

WEB_PACKAGES = ("fastapi", "uvicorn", "multipart", "swagger_ui_bundle")


def define_flags():
    """The flags of `nst-tf serve`."""
    fv = flags.FlagValues()
    flags.DEFINE_string(
        "host",
        "127.0.0.1",
        "Address to listen on (127.0.0.1: this machine only; 0.0.0.0 opens it to the network).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "port", 8000, "Port to listen on.", lower_bound=1, upper_bound=65535, flag_values=fv
    )
    flags.DEFINE_multi_string(
        "allowed-host",
        [],
        "Another host name the server answers to (repeatable); it always answers to localhost, "
        "127.0.0.1, ::1 and --host. Other names are refused (DNS rebinding).",
        flag_values=fv,
    )
    flags.DEFINE_multi_string(
        "allowed-origin",
        [],
        "Another page origin (http://name:port) that may upload and start jobs (repeatable); "
        "by default only the server's own page may.",
        flag_values=fv,
    )
    common.define_network_flags(fv)
    flags.DEFINE_integer(
        "max-queue",
        4,
        "Optimisation jobs that may wait behind the running one; more are answered 429.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "max-fast",
        8,
        "Fast requests being painted or waiting at once; more are answered 503.",
        lower_bound=1,
        flag_values=fv,
    )
    return fv


def run(values):
    """Runs the web app until interrupted."""
    missing = [name for name in WEB_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise NstError(f'the web app needs {", ".join(missing)}: pip install "nst_tf[web]"')
    import uvicorn

    from nst_tf.serve import app

    web = app.create_app(
        vgg=values["vgg"],
        vgg_weights=common.weights_choice(values["vgg_weights"]),
        pooling=values["pooling"],
        max_waiting=values["max_queue"],
        max_fast=values["max_fast"],
        warm_up=True,
        host=values["host"],
        allowed_hosts=tuple(values["allowed_host"]),
        allowed_origins=tuple(values["allowed_origin"]),
    )
    print(f"nst-tf serve: open http://{values['host']}:{values['port']}/ (Ctrl+C stops)")
    uvicorn.run(web, host=values["host"], port=values["port"], log_level="warning")


COMMAND = common.Command(define_flags, (), "Run the web app (a page and a JSON API).", run)
