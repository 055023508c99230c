"""Every `nst-tf` command shown on the site and in the README parses with the real flags."""

import pytest
from absl import flags
from docs_support import DOCS, REPO, nst_tf_commands

from nst_tf.cli import main

PAGES = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
EXAMPLES = [(page, words) for page in PAGES for words in nst_tf_commands(page)]


def test_pages_show_commands():
    assert len(EXAMPLES) > 40
    assert {page.name for page, _ in EXAMPLES} >= {"one-pass.md", "optimisation.md", "export.md"}


@pytest.mark.parametrize(
    "page, words", EXAMPLES, ids=[f"{p.name}:{' '.join(w)[:60]}" for p, w in EXAMPLES]
)
def test_command_parses(page, words):
    """The command exists, every flag is one of its flags with a valid value, and the number of
    arguments fits; nothing runs."""
    assert words, f"{page.name}: a bare `nst-tf`"
    if words[0] in ("-h", "--help", "help"):
        return
    assert words[0] in main.COMMANDS, f"{page.name}: unknown command {words[0]!r}"
    command = main.COMMANDS[words[0]]
    arguments = words[1:]
    if "--help" in arguments:
        return
    fv = command.define_flags()
    try:
        rest = fv([f"nst-tf {words[0]}", *arguments], known_only=command.passes_unknown_flags)
    except flags.Error as error:
        pytest.fail(f"{page.name}: nst-tf {' '.join(words)}: {error}")
    positionals = [word for word in rest[1:] if not word.startswith("-")]
    required = [p for p in command.positionals if not p.startswith("[")]
    repeated = bool(command.positionals) and command.positionals[-1].rstrip("]").endswith("...")
    assert len(positionals) >= len(required), f"{page.name}: too few arguments: {words}"
    assert repeated or len(positionals) <= len(command.positionals), (
        f"{page.name}: too many arguments: {words}"
    )
