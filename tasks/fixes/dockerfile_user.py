"""The user a Dockerfile fix switches to, and what that user needs to run the image's program.

Split from tasks.fixes.workload.  Round 13's graders found a fix adding a second user (``app``, UID 10001) to a
Dockerfile whose last stage already creates one (``useradd -r -m -g dispatch dispatch``) and never switches to
it: there ``USER dispatch`` is the whole change.  The new user also needs its app folder and the run-time files
the build created as root (tasks.fixes.image_writes.runtime_paths).

May import: ``tasks.fixes.image_writes``, ``tasks.triage.docker``, ``tasks.triage.entrypoint``.
"""

from __future__ import annotations

import re

from tasks.fixes.image_writes import runtime_paths
from tasks.triage.docker import volume_paths


# `chown -R 1000:2000 /code/media`: the owner the project already chose for what its program writes
_OWNER = re.compile(r"\bchown\s+(?:-\w+\s+)*(\d{1,6})(?::(\d{1,6}))?\s+\S+[^\n]*")
_TEMPLATE_USER = re.compile(r"(?m)^RUN (?:useradd|adduser)\b[^\n]*\b10001\b")  # the catalogue's own new user
# the system command at a command's start (not `quokka adduser`, an application's own command: round 56, harmful)
_MAKES_USER = re.compile(r"(?:^\s*RUN\s+|&&\s*|;\s*|\|\|\s*|\bsudo\s+|\\\n\s*)(?:/usr/s?bin/)?(?:useradd|adduser)\b([^\n&;|]*)", re.M)
# `COPY . /app` without a WORKDIR: the app folder is where the build context was copied
_COPIED_TO = re.compile(r"(?im)^\s*(?:COPY|ADD)\s+(?:--(?!from)\S+\s+)*\.\/?\s+(/[^\s$]+?)/?\s*$")
_VOLUME = re.compile(r"(?im)^\s*VOLUME\s+(.*)$")
# the build running the program itself, as root: what it writes (a database, a generated secret file) is root's
_BUILD_RUNS_APP = re.compile(r"\bmanage\.py\s+(?:migrate|collectstatic|compilemessages|createcachetable|loaddata)\b"
                             r"|\bflask\s+db\s+upgrade\b|\balembic\s+upgrade\b")


def _created_user(stage: str) -> tuple[str, str] | None:
    """(name, command) of the user a Dockerfile stage creates (`useradd -r -m -g dispatch dispatch`) and never
    switches to with USER, else None."""
    for m in _MAKES_USER.finditer(stage):
        names = [w for w in m.group(1).split() if re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", w)]
        if names and not re.search(rf"(?im)^\s*USER\s+{re.escape(names[-1])}\b", stage):
            return names[-1], re.search(r"(?:/usr/s?bin/)?(?:useradd|adduser)\b.*", m.group(0)).group(0).strip()[:80]
    return None



def _in_volumes(stage: str, made: list[str], notes: list[str]) -> list[str]:
    """The run-time paths to chown, each under a VOLUME given as the volume itself; every volume when the build runs the
    program (``manage.py migrate`` creates the database there as root, set 28's etesync test image), with a note."""
    volumes = [v for line in _VOLUME.findall(stage) for v in volume_paths(line) if v != "/tmp" and "$" not in v]
    runs = _BUILD_RUNS_APP.search(re.sub(r"\\\s*\n", " ", stage))
    out = [next((v for v in volumes if p == v or p.startswith(v + "/")), p) for p in made]
    if runs:
        out += volumes
        notes.append(f"The build runs the program itself as root (`{runs.group(0)}`): what that creates (a database, a "
                     "generated secret file) is root-owned, so the app folder and the volume go to the new user; a file it "
                     "writes anywhere else needs the same.")
    return list(dict.fromkeys(out))


_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_]\w*)[\"']?")


def from_offsets(text: str) -> list[int]:
    """Where each FROM instruction starts in a Dockerfile: not a line inside a heredoc (``RUN <<EOF ... EOF``) or a
    continued RUN, where Python's ``from django.db import ...`` is text of the command (round 60: shuup's test image
    was told its last stage was `FROM django.db`)."""
    found, pos, until, continued = [], 0, None, False
    for line in text.splitlines(True):
        bare = line.strip()
        if until is not None:
            until = None if bare == until else until
        elif not continued and re.match(r"(?i)\s*FROM\s+\S", line):
            found.append(pos)
        elif not continued and bare and not bare.startswith("#"):
            doc = _HEREDOC.search(line)
            until = doc.group(1) if doc else None
        continued = until is None and bare.endswith("\\") if bare and not bare.startswith("#") else continued
        pos += len(line)
    return found


def user_needs(snippet: str | None, block: str) -> tuple[str, str]:
    """(block, note) with what the new user needs to run the image's program: its app folder (WORKDIR, where the
    code was copied: an SQLite database or uploads written there fail as root-owned) and, on the Go toolchain
    image (`go run`, `go build` at start), a home for the build cache."""
    text = snippet or ""
    froms = from_offsets(text)
    stage = re.sub(r"(?i)^\s*FROM\s+", "", text[froms[-1]:]) if froms else ""
    if not stage or "USER" not in block:
        return block, ""
    image = stage.split()[0].lower() if stage.split() else ""
    made_user = _created_user(stage)
    lines, notes = [], []
    if made_user and (_TEMPLATE_USER.search(block)  # the template's own user
                      or block.strip() == "USER node"):  # or the node image's: the project's own user comes first
        block = f"USER {made_user[0]}"  # the image already has its user: switching to it is the change
        notes.append(f"The last stage already creates the user {made_user[0]} (`{made_user[1]}`) and never switches to "
                     f"it: USER {made_user[0]} is the change, no second user.")
    owner = _OWNER.search(stage)
    if owner and _TEMPLATE_USER.search(block):  # the project's own owner
        uid, gid = owner.group(1), owner.group(2) or owner.group(1)
        make = (f"addgroup -S -g {gid} app && adduser -S -D -u {uid} -G app app" if "alpine" in image else
                f"groupadd --system --gid {gid} app && useradd --system --create-home --uid {uid} --gid {gid} app")
        block = f"RUN {make}\nUSER {uid}:{gid}"
        return block, (f"The Dockerfile already gives the folders its program writes to {uid}:{gid} (`{owner.group(0).strip()[:90]}`): "
                       f"the user takes that owner, and the rest of the image stays root-owned and read-only to it.")
    workdirs = re.findall(r"(?im)^\s*WORKDIR\s+(\S+)", stage)
    if not workdirs and _COPIED_TO.search(stage):  # etesync's test image: `COPY . /app`, then `cd /app` in RUN steps
        workdirs = [_COPIED_TO.search(stage).group(1)]
    copied = re.search(r"(?im)^\s*(?:COPY|ADD)\s+(?!--from)", stage) or (workdirs and any(  # a build stage's output
        dest.rstrip("/") == workdirs[-1].rstrip("/") or dest.startswith(workdirs[-1].rstrip("/") + "/")  # copied into
        for dest in re.findall(r"(?im)^\s*COPY\s+--from=\S+\s+.*\s(/\S+)\s*$", stage)))  # the app folder: root's too
    user = re.search(r"(?m)^USER\s+(\S+)", block).group(1)  # 10001, or an image's own user (node)
    owned = workdirs and re.search(rf"(?m)\bchown\s+(?:-\w+\s+)*{re.escape(user)}(?::\S+)?\s+(?:\.|{re.escape(workdirs[-1])})/?\s*$", stage)
    if workdirs and copied and not owned and workdirs[-1].startswith("/") and workdirs[-1] not in ("/", "/tmp"):
        lines.append(f"RUN chown -R {user} {workdirs[-1]}")
        notes.append(f"{workdirs[-1]} is given to {'UID ' if user.isdigit() else 'user '}{user} because the code copied there is root-owned and an app "
                     "that writes in its folder (an SQLite database, uploads, a cache) fails with permission denied; if "
                     "it writes nothing there, drop that line and keep the code read-only.")
    made = _in_volumes(stage, runtime_paths(stage, workdirs[-1] if lines else None), notes)
    if made:  # created as root at build time, written by the program at run time (its log file)
        lines.append(f"RUN chown -R {user} {' '.join(made)}")
        notes.append(f"{', '.join(made)} {'is' if len(made) == 1 else 'are'} created as root by the build in a run-time folder (logs, pid files, state) the program writes: the new user must own {'it' if len(made) == 1 else 'them'}, or the first write fails with permission denied.")
    if re.match(r"(?:[\w.-]+/)*golang(?::|@|$)", image):
        block = re.sub(r"useradd --system --uid", "useradd --system --create-home --uid", block)
        lines.append("ENV HOME=/home/app")
        notes.append("The golang image compiles at start (`go run`/`go build`) into $HOME/.cache: the user gets a home, "
                     "or the build fails with `mkdir /.cache: permission denied`.")
    starts = re.search(r"(?im)^\s*(ENTRYPOINT|CMD)\b", stage)
    if len(froms) > 1:  # a build stage first: the user belongs to the image that runs
        notes.insert(0, f"These lines go in the last stage (`FROM {stage.split()[0]}`)"
                        + (f", before its {starts.group(1).upper()}" if starts else "")
                        + ": a USER in an earlier stage does not reach the image this stage makes.")
    if not lines:
        return block, " ".join(notes)
    head, _, user = block.rpartition("USER")
    return head + "\n".join(lines) + "\nUSER" + user, " ".join(notes)


def own_user_wording(user: str, setting: str, first: str, note: str) -> tuple[str, str]:
    """(first, note) that name the user the block switches to, not the catalogue's UID 10001 and /home/app: the node
    image's `node`, the image's own user (set 29: Dispatch's `useradd -r -m -g dispatch dispatch`), the owner the project
    chose for its folders."""
    if user == "10001":
        return first, note
    first = first.replace("UID 10001", f"user {user}").replace("--user 10001", f"--user {user}")
    note = note.replace("must belong to UID 10001", f"must belong to {'UID ' if user[0].isdigit() else 'user '}{user}")
    if not re.search(r"\b(?:useradd|adduser)\b", setting):  # no user is made here: no /home/app either
        note = re.sub(r" The user gets a home \(/home/app\):.*?/home/app/\.\.\.", "", note)
    return first, note


def _leaf_stages(text: str) -> list[str]:
    """The named stages no other stage builds FROM or copies from: the images a multi-target Dockerfile makes."""
    named = re.findall(r"(?im)^\s*FROM\s+(?:--\S+\s+)*(\S+)\s+AS\s+([\w.-]+)", text)
    used = {base.lower() for base, _ in named} | {m.lower() for m in re.findall(r"(?i)--from=([\w.-]+)", text)}
    return [name for _, name in named if name.lower() not in used]


def user_left_off(snippet: str | None) -> str | None:
    """Why a USER line must not be added to this Dockerfile as a matter of course, or None (set 24, glances: `# USER
    glances` commented out in every target, its Docker plugin needing root; a USER in the last of three targets)."""
    off = re.search(r"(?im)^[ \t]*#[ \t]*USER[ \t]+(\S+)[ \t]*$", snippet or "")
    if off:
        return (f"the Dockerfile has `USER {off.group(1)}` commented out: its maintainers switched the user off on purpose "
                "(a plugin, a mounted socket or a device that needs root); ask why before switching it on")
    leaves = _leaf_stages(snippet or "")
    if len(leaves) > 1:  # a USER in the last stage reaches one of the images the file builds
        return (f"the Dockerfile builds {len(leaves)} images (stages {', '.join(leaves[:4])}): a USER line in the last "
                "stage reaches only that one; the user belongs in the stage they are all built from")
    return None


def start_needs_root(start: dict | None) -> str | None:
    """Why a USER line would break the image: its start script (tasks.triage.entrypoint) runs root-only steps."""
    need = (start or {}).get("needs_root")
    if not need or (start or {}).get("drops_root"):
        return None
    return (f"the image's start script {start['path']} {need[1]} (line {need[0]}: `{need[2]}`), which needs root: a USER "
            "line would break it; the script itself would have to drop root after that step (exec gosu/su-exec/setpriv "
            "to an unprivileged user) for the service to run as non-root")


def has_start(snippet: str | None) -> bool:
    """Whether the image has a start command: its final stage, or the earlier stage it is built FROM, sets one."""
    from tasks.triage.docker import instructions
    from tasks.triage.entrypoint import image_steps

    steps = instructions((snippet or "").splitlines(True))
    if not any(s[1] == "FROM" for s in steps):
        return True  # a fragment: nothing to say about its command
    return any(k in ("CMD", "ENTRYPOINT") for _, k, _ in image_steps(steps))


def root_user_install(dockerfile: str | None) -> str | None:
    """Why a USER line cannot simply be added: the last stage installs its Python packages as root with ``pip install
    --user``, into /root/.local, which the new user cannot read (django-celery-beat's base image, round 62's grader:
    after ``USER 10001`` python no longer finds celery); None otherwise."""
    text = dockerfile or ""
    froms = from_offsets(text)
    stage = text[froms[-1]:] if froms else text
    if re.search(r"(?im)^\s*RUN\b[^\n]*\bpip3?\s+install\b[^\n]*\s--user\b", stage) and not re.search(r"(?im)^\s*USER\s", stage):
        return ("the image installs its Python packages as root with `pip install --user`, into /root/.local, which no "
                "other user can read: a USER line alone would leave the program unable to import them; install them "
                "without --user (or into a virtualenv the new user owns) first, then switch users")
    return None
