"""What the config generators' tests expect them to refuse: written here
once, apart from pyrgw.confgen's own list, so that a character dropped from
that list fails the tests."""

# Each is refused in every string value, with this description in the message.
FORBIDDEN = {
    '"': "a double quote",
    "'": "a single quote",
    "\\": "a backslash",
    ";": "a semicolon",
    "{": "a brace",
    "}": "a brace",
    "#": "a '#'",
    "$": "a '$'",
    " ": "a space",
    "\n": "a newline",
    "\r": "a carriage return",
    "\t": "a tab",
    "\0": "a NUL",
    "\x1b": "a control character",
    "\x7f": "a control character",
    "\u00a0": "whitespace",
    "\u2028": "whitespace",
}
