"""Built-in identities, one module per subsection of the ML Math Map.

Every public module here is imported by the registry (discovered with ``pkgutil``; no list to
keep in sync). A module reads as a sequence of ``@identity`` declarations.
"""
