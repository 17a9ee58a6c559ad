"""The kubectl-style command line: one module per verb group, over kubelite.apiserver."""
