"""The ``mtfs`` command line.  :mod:`.main` parses arguments with the standard library only
(``mtfs --help`` imports no heavy library) and imports each command's module when it runs.
"""
