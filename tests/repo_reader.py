"""A stand-in for tasks.repository.source.SourceReader over files held in memory, for the triage tests."""

from __future__ import annotations


class FilesReader:
    """The repository's files by path: ``resolve`` gives ``commit``, ``lines`` a file's lines (None when absent),
    ``tracked`` the paths under a folder."""

    def __init__(self, files: dict[str, str], commit: str | None = None):
        self.files, self.commit = files, commit

    def resolve(self, commit):
        return self.commit

    def lines(self, path, commit):
        text = self.files.get(path)
        return text.splitlines(True) if text is not None else None

    def tracked(self, commit, folder):
        return sorted(p for p in self.files if folder == "." or p.startswith(folder + "/"))
