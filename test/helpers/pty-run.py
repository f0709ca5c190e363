"""Runs a command on a pseudo-terminal, answering prompts as a person types.

usage: pty-run.py JSON -- COMMAND...
JSON is a list of [text to wait for, what to type]. Prints {"code": N, "screen": "..."}:
the screen is everything the terminal showed, so a test can check what was (not) echoed.
"""
import json
import os
import pty
import select
import sys
import time

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index("--") + 1 :]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
screen = b""
deadline = time.time() + 60


def read_some(timeout):
    global screen
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    if not data:
        return None
    screen += data
    return True


for wait_for, typed in steps:
    while wait_for.encode() not in screen:
        if time.time() > deadline or read_some(0.2) is None:
            break
    os.write(fd, typed.encode())
while time.time() < deadline and read_some(0.2) is not None:
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "screen": screen.decode("utf8", "replace")}))
