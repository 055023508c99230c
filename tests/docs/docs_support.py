"""Reading the documentation's code blocks: fenced blocks by language, and shell commands."""

import pathlib
import re
import shlex

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)


def blocks(path, language):
    """The fenced code blocks of one language in a Markdown file, in order."""
    text = pathlib.Path(path).read_text(encoding="utf-8")
    return [body for lang, body in _FENCE.findall(text) if lang == language]


def commands(block):
    """A bash block's commands: continuation lines joined, comments dropped, split at `&&`,
    `;` and `|`; each a list of words, leading VAR=value assignments removed."""
    text = block.replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        current = []
        for word in [*words, "&&"]:
            if word in ("&&", ";", "|", "||"):
                while current and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", current[0]):
                    current.pop(0)
                if current:
                    found.append(current)
                current = []
            else:
                current.append(word)
    return found


def nst_tf_commands(path):
    """Every `nst-tf ...` command in a Markdown file's bash blocks, as words after `nst-tf`."""
    return [words[1:] for block in blocks(path, "bash") for words in commands(block)
            if words[0] == "nst-tf"]
