"""C and C++ fix patterns (the printf family lives here, and only here)."""

from __future__ import annotations

import re

PATTERNS = {
    "format-string": """Never pass untrusted data as the format argument of the printf family: a `%n` in it writes to memory and `%x`/`%s` read the stack. Use a constant format:
```c
printf("%s", user_input);
fprintf(stderr, "error: %s\\n", message);
```
Compile with `-Wformat -Wformat-security` to catch the rest.""",
    "command-injection": """Do not build a command string for `system()` or `popen()`. Run the program directly with `execv`/`posix_spawn` and an argument vector:
```c
char *argv[] = {"/usr/bin/convert", src, dst, NULL};
pid_t pid;
posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
```""",
    "insecure-random": """`rand()` is predictable; use the OS CSPRNG (`getrandom` on Linux, `arc4random_buf` on BSD/macOS):
```c
unsigned char key[32];
if (getrandom(key, sizeof key, 0) != sizeof key) {
    abort();
}
```""",
}



def printf_constant(line: str) -> str | None:
    m = re.match(r"^(\s*)printf\(\s*([A-Za-z_]\w*)\s*\)\s*;(.*)$", line)
    if m:
        return f'{m.group(1)}printf("%s", {m.group(2)});{m.group(3)}'
    m = re.match(r"^(\s*)fprintf\(\s*(\w+)\s*,\s*([A-Za-z_]\w*)\s*\)\s*;(.*)$", line)
    if m:
        return f'{m.group(1)}fprintf({m.group(2)}, "%s", {m.group(3)});{m.group(4)}'
    return None


REWRITES = {"format-string": printf_constant}
