"""`python -m nst_tf` runs the command line."""

from nst_tf.cli.main import run

run()
