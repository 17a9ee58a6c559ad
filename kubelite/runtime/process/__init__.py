"""The process runtime: containers of pods on nodes labelled `kubelite.io/runtime: process`
run as real operating-system processes.

Each container instance runs under a small wrapper (wrapper.py), started in its own
session so it outlives the `reconcile` that started it. The wrapper records its pid and
start time, timestamps the container's output into the kubelet's log layout, and writes
the exit status when the container ends. Every pass finds instances again from those
files and /proc; nothing is kept in memory between passes.
"""
