"""The one exception type for bad input.

Every layer raises :class:`InputError` for input it refuses; the CLI turns it
into one line on stderr and exit code 2.
"""


class InputError(ValueError):
    """Input the suite refuses, with a message that names the problem."""
