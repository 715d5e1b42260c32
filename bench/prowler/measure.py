#!/usr/bin/env python3
"""Runs commands at once and reports their wall time and peak RSS, as JSON on stdout.

usage: measure.py LOG_DIR -- CMD ARGS... [--- CMD ARGS...]...

Each command's output goes to LOG_DIR/N.log. Wall time is from the first start to the last
exit; peak RSS is each process's `VmHWM`, read every 20 ms while it runs (their sum bounds the
peak of the set, as they run at once).
"""
import json
import os
import sys
import time


def hwm_kib(pid: int) -> int:
    """The process's own peak RSS (`VmHWM`); 0 once it has exited. Not wait4's `ru_maxrss`,
    which also counts the spawning process's peak (exec folds the shared mm's high-water mark
    into it)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    log_dir, rest = sys.argv[1], sys.argv[2:]
    if not rest or rest[0] != "--":
        sys.exit(__doc__)
    commands, current = [], []
    for arg in rest[1:]:
        if arg == "---":
            commands.append(current)
            current = []
        else:
            current.append(arg)
    commands.append(current)
    started = time.monotonic()
    running = {}
    for i, cmd in enumerate(commands):
        log = os.path.join(log_dir, f"{i}.log")
        # posix_spawn, not fork: a forked copy of this interpreter would count in ru_maxrss.
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
        running[os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)] = i
    rss_kib = [0] * len(commands)
    codes = [0] * len(commands)
    while running:
        for pid, i in running.items():
            rss_kib[i] = max(rss_kib[i], hwm_kib(pid))
        pid, status, _ = os.wait4(-1, os.WNOHANG)
        if pid in running:
            codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)
        elif pid == 0:
            time.sleep(0.02)
    wall = time.monotonic() - started
    print(json.dumps({"wall_s": wall, "rss_kib": rss_kib, "exit_codes": codes}))


if __name__ == "__main__":
    main()
