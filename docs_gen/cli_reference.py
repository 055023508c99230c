"""The command-line reference, rendered from the commands' own flag definitions."""

from nst_tf.cli import main


def render():
    """The page's Markdown: a table of the commands, then each command's summary, arguments and flags as
    its FlagValues prints them (`nst-tf COMMAND --help`)."""
    lines = [
        "# Command-line reference",
        "",
        "Generated from the flag definitions of `nst_tf.cli` when the site is built: what",
        "`nst-tf COMMAND --help` prints.",
        "",
        f"`{main.PROGRAM} COMMAND [flags] ARGS`",
        "",
        "| command | arguments | what it does |",
        "| --- | --- | --- |",
    ]
    for name, command in main.COMMANDS.items():
        arguments = " ".join(command.positionals).replace("|", "\\|")
        arguments = f"`{arguments}`" if arguments else "–"
        lines.append(f"| [{name}](#{name}) | {arguments} | {command.summary} |")
    lines.append("")
    for name, command in main.COMMANDS.items():
        positionals = " ".join(command.positionals)
        lines += [
            f"## {name}",
            "",
            f"`{main.PROGRAM} {name} {positionals} [flags]`".replace("  ", " "),
            "",
            command.summary,
            "",
        ]
        if command.passes_unknown_flags:
            lines += ["Flags it does not know pass on to the pipeline as `--name=value`.", ""]
        lines += ["```text", command.define_flags().get_help().strip(), "```", ""]
    return "\n".join(lines)
