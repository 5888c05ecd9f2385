"""Runs a command with a pseudo-terminal as its standard input, output and error, the way a user
at a terminal runs it. Usage: tty_run.py WAIT_FOR SEND COMMAND ARGS...
Once the terminal shows WAIT_FOR (skipped when empty), SEND is typed (Python escapes: "\\x04"
is Ctrl-D, end of input). Prints JSON: exit code and everything the terminal showed."""
import json, os, pty, sys, time

wait_for, send = sys.argv[1].encode(), sys.argv[2].encode().decode("unicode_escape").encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])

shown = b""
deadline = time.time() + 60


def read_some():
    global shown
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    if not chunk:
        return False
    shown += chunk
    return True


if wait_for:
    while wait_for not in shown and time.time() < deadline:
        if not read_some():
            break
    os.write(fd, send)
while time.time() < deadline and read_some():
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "shown": shown.decode(errors="replace")}))
