"""`python -m nst_tf` runs the command line."""

from nst_tf.cli import run

run()
