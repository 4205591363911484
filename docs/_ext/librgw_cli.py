"""A command line's reference, generated from its argparse parser.

    .. librgw-cli:: pyrgw.admin:build_parser

imports the module, calls the function for the parser, and emits one
section per command (the program, then every subcommand, depth first, in
the order they were added): the command's description (or its help line),
then its usage and options as argparse prints them for --help.  The text is
the parser's own, so the page cannot disagree with the program; the width
is fixed (COLUMNS=88) so that the page does not depend on the terminal that
built it.
"""
import argparse
import importlib
import os

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


def _subcommands(parser):
    """[(name, help, subparser)] of parser's subcommands, in order."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            out += [(name, helps.get(name), sub) for name, sub in action.choices.items()]
    return out


def _walk(parser, path, help_line=None):
    yield path, help_line, parser
    for name, sub_help, sub in _subcommands(parser):
        yield from _walk(sub, path + [name], sub_help)


class CliDirective(SphinxDirective):
    required_arguments = 1

    def run(self):
        module, function = self.arguments[0].split(":")
        saved = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "88"
        try:
            parser = getattr(importlib.import_module(module), function)()
            commands = list(_walk(parser, [parser.prog]))
            result = []
            for path, help_line, command in commands:
                title = " ".join(path)
                section = nodes.section(ids=[nodes.make_id("cli-" + title)])
                section += nodes.title(text=title)
                text = command.description or help_line
                if text and len(path) > 1:
                    section += nodes.paragraph(text=text)
                usage = command.format_help()
                section += nodes.literal_block(usage, usage, language="text")
                result.append(section)
            return result
        finally:
            if saved is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = saved


def setup(app):
    app.add_directive("librgw-cli", CliDirective)
    return {"version": "1", "parallel_read_safe": True}
