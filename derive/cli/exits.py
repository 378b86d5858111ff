"""The exit statuses of every ``derive`` command: one table, the same meaning everywhere.

======  ===========================================================================================
status  meaning
======  ===========================================================================================
0       success: proved, correct, written
1       a proof failed, an answer is incorrect, a result cannot be exported
2       usage: an unknown option or name, a missing argument, an unreadable expression or file name
3       undecided: no verdict within the time limit (``check``)
4       invalid: the answer cannot be read (``check``); every row of a batch is invalid (``grade``)
5       the question cannot be used: no question declared, a broken question bank
130     interrupted (Ctrl-C, SIGTERM); rows finished so far are kept
======  ===========================================================================================
"""

from __future__ import annotations

OK = 0
FAILED = 1
USAGE = 2
UNDECIDED = 3
INVALID = 4
BAD_QUESTION = 5
INTERRUPTED = 130

#: ``derive check``'s status for each verdict
BY_STATUS = {"correct": OK, "incorrect": FAILED, "invalid": INVALID, "undecided": UNDECIDED}
