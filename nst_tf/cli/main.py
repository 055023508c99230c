"""The `nst-tf` command line: one module per command, which parses flags, validates through the
library's configs and hands them to the library.

User mistakes end with a one-line message on stderr and exit code 2, never a traceback. The
library's messages name its parameters (content_weight); here they are named as flags
(--content-weight).
"""

import os
import re
import sys

from absl import flags

from nst_tf.cli import (
    allocator,
    analogy_command,
    batch_command,
    export_command,
    serve_command,
    styles_command,
    stylize_command,
    texture_command,
    train_command,
    upscale_command,
)
from nst_tf.errors import NstError

PROGRAM = "nst-tf"
USAGE_ERROR = 2
# The commands that run until stopped, whose memory the system should get back between jobs.
LONG_RUNNING = ("serve",)

COMMANDS = {
    "stylize": stylize_command.COMMAND,
    "train": train_command.COMMAND,
    "export": export_command.COMMAND,
    "texture": texture_command.COMMAND,
    "analogy": analogy_command.COMMAND,
    "styles": styles_command.COMMAND,
    "serve": serve_command.COMMAND,
    "batch": batch_command.COMMAND,
    "upscale": upscale_command.UPSCALE_COMMAND,
    "train-upscale": upscale_command.TRAIN_COMMAND,
}


def _usage():
    lines = [f"usage: {PROGRAM} COMMAND [flags] ARGS", "", "commands:"]
    for name, command in COMMANDS.items():
        lines.append(f"  {name} {' '.join(command.positionals):<16} {command.summary}")
    lines.append(f"\n'{PROGRAM} COMMAND --help' lists a command's flags.")
    return "\n".join(lines)


def main(argv=None):
    """Runs the command line.

    Args:
      argv: arguments including the program name; default sys.argv.

    Returns:
      the exit code: 0 on success, 2 for a usage or input error.
    """
    argv = list(sys.argv if argv is None else argv)
    try:
        return _dispatch(argv)
    except NstError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`nst-tf styles | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if not _is_out_of_memory(error):
            raise
        print(f"{PROGRAM}: error: ran out of memory: choose a smaller --size", file=sys.stderr)
        return USAGE_ERROR


def _is_out_of_memory(error):
    """Whether an exception is Python's or TensorFlow's out-of-memory error."""
    return isinstance(error, MemoryError) or type(error).__name__ == "ResourceExhaustedError"


def _dispatch(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print(_usage())
        return 0 if len(argv) >= 2 else USAGE_ERROR
    name, arguments = argv[1], argv[2:]
    if name not in COMMANDS:
        raise NstError(f"unknown command {name!r}: choose one of {', '.join(COMMANDS)}")
    command = COMMANDS[name]
    fv = command.define_flags()
    if "-h" in arguments or "--help" in arguments or "--helpfull" in arguments:
        print(
            f"usage: {PROGRAM} {name} {' '.join(command.positionals)} [flags]\n\n"
            f"{command.summary}\n\n{fv.get_help()}"
        )
        return 0
    passes_on = command.passes_unknown_flags
    try:
        positionals = fv([f"{PROGRAM} {name}"] + arguments, known_only=passes_on)[1:]
    except flags.Error as error:
        raise NstError(str(error).strip().splitlines()[0]) from None
    passed_on = [argument for argument in positionals if passes_on and argument.startswith("-")]
    positionals = [argument for argument in positionals if argument not in passed_on]
    required = [p for p in command.positionals if not p.startswith("[")]
    repeated = bool(command.positionals) and command.positionals[-1].rstrip("]").endswith("...")
    if len(positionals) < len(required) or (
        len(positionals) > len(command.positionals) and not repeated
    ):
        raise NstError(
            f"'{name}' takes the argument(s) {' '.join(command.positionals)}, got "
            f"{len(positionals)}: {' '.join(positionals) or 'none'}"
            + ("; give the flags passed on as --name=value" if passed_on else "")
        )
    values = {flag_name.replace("-", "_"): fv[flag_name].value for flag_name in fv}
    if command.passes_unknown_flags:
        values["pipeline_args"] = passed_on
    values["given_flags"] = {
        flag_name.replace("-", "_") for flag_name in fv if fv[flag_name].present
    }
    if name not in LONG_RUNNING:
        allocator.keep_freed_memory()
    try:
        command.run(values, *positionals)
    except NstError as error:
        raise NstError(_as_flags(str(error), fv)) from None
    return 0


def _as_flags(message, fv):
    """A library message with the parameter names that are this command's flags as flags."""
    for flag_name in fv:
        parameter = flag_name.replace("-", "_")
        if "_" in parameter:
            message = re.sub(rf"(?<![-\w]){parameter}\b", f"--{flag_name}", message)
    return message


def run():
    """Console-script entry point."""
    sys.exit(main())
