"""Runs a command on a pseudo-terminal and types passwords at its prompts, to test samlkit's
no-echo password prompt. Usage: tty_password.py ANSWER[,ANSWER...] COMMAND ARGS...
Each ANSWER is typed after the next prompt ending in ': '. Prints JSON: exit code and everything
the terminal showed (which must not contain what was typed, since echo is off)."""
import json, os, pty, sys, termios, time

answers = sys.argv[1].split(",")
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])

shown = b""
deadline = time.time() + 30


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


for answer in answers:
    start = len(shown)
    while not shown[start:].rstrip().endswith(b":") and time.time() < deadline:
        if not read_some():
            break
    # The prompt is printed just before echo is switched off: type only once it is off (as the
    # terminal settings read through the master side say), so the test never races the program.
    while termios.tcgetattr(fd)[3] & termios.ECHO and time.time() < deadline:
        time.sleep(0.01)
    os.write(fd, answer.encode() + b"\n")
while time.time() < deadline and read_some():
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "shown": shown.decode(errors="replace")}))
