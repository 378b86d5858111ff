"""The built-in identities: one folder per chapter of the ML Math Map, one identity per file.

``linear_algebra`` (map section 1), ``calculus`` (2), ``probability`` (3), ``information`` (4),
``optimisation`` (5) and ``curriculum`` (6). A page is named after its identity
(``calculus/gelu_prime.py`` declares ``gelu'``) and reads top to bottom: what it is, the symbols,
what is claimed, the question and references, the derivation, the independent check, the
declaration. Each chapter's ``CONTENTS`` lists its pages in map order. The registry
(:mod:`derive.core.registry`) finds the pages; nothing here registers anything.
"""
