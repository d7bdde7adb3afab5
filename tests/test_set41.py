"""Checks written for held-out set 41 (Flowise, ntfy): a JavaScript path built by the repository's own sanitiser, and
a Go response write whose Content-Type is not HTML; each with the neighbour that stays a finding."""

from __future__ import annotations

from test_set40 import _reasons
from test_triage_hygiene import finding

BASE = """import path from 'path'

export abstract class BaseStorageProvider {
    protected sanitizeFilename(filename: string): string {
        const cleaned = sanitize(filename).replace(/^\\.+/, '')
        if (!cleaned || cleaned.includes('/') || cleaned.includes('\\\\')) {
            throw new Error('Invalid filename after sanitization')
        }
        return cleaned
    }

    protected buildPath(...paths: string[]): string {
        const sanitizedPaths = paths.filter((p) => p && typeof p === 'string').map((p) => this.sanitizeFilename(p))
        return path.join(this.storagePath, ...sanitizedPaths)
    }
}
"""
LOCAL = """import fs from 'fs'
import path from 'node:path'
import { BaseStorageProvider } from './BaseStorageProvider'

export class LocalStorageProvider extends BaseStorageProvider {
    async addFile(chatflowid: string, orgId: string, name: string): Promise<void> {
        const dir = this.buildPath(orgId, chatflowid)
        if (!fs.existsSync(dir)) {
            fs.mkdirSync(dir, { recursive: true })
        }
        const raw = path.join(this.storagePath, name)
        fs.writeFileSync(raw, 'x')
    }
}
"""


def fs_finding(line, path="src/storage/LocalStorageProvider.ts", rule="tmp.rules.detect-non-literal-fs-filename"):
    return finding(tool="semgrep", rule_id=rule, title=rule, location={"path": path, "start_line": line, "end_line": line})


def test_a_path_from_the_repositorys_sanitiser_is_cited(tmp_path):
    files = {"src/storage/BaseStorageProvider.ts": BASE, "src/storage/LocalStorageProvider.ts": LOCAL}
    rec, said = _reasons(tmp_path, files, fs_finding(9))
    assert rec["verdict"] == "false_positive"
    assert "`dir` (line 7) comes from `buildPath` (BaseStorageProvider.ts:13), which runs every part through " \
           "`sanitizeFilename` (BaseStorageProvider.ts:6), which throws when a separator or `..` is left" in said


def test_a_raw_join_or_a_look_alike_sanitiser_stays_a_finding(tmp_path):
    files = {"src/storage/BaseStorageProvider.ts": BASE, "src/storage/LocalStorageProvider.ts": LOCAL}
    _, said = _reasons(tmp_path / "a", files, fs_finding(12))  # path.join of the raw name
    assert "sanitised before the file call" not in said
    weak = BASE.replace("throw new Error('Invalid filename after sanitization')", "console.warn('odd name')")
    files = {"src/storage/BaseStorageProvider.ts": weak, "src/storage/LocalStorageProvider.ts": LOCAL}
    _, said = _reasons(tmp_path / "b", files, fs_finding(9))  # warns, never throws
    assert "sanitised before the file call" not in said


GUARD = """import path from 'path'

export const getSafeFilePath = (baseDir: string, key: string): string => {
    const resolvedBase = path.resolve(baseDir)
    const resolvedPath = path.resolve(resolvedBase, key)
    const relative = path.relative(resolvedBase, resolvedPath)
    if (relative === '' || relative.startsWith('..' + path.sep) || path.isAbsolute(relative)) {
        throw new Error('path traversal')
    }
    return resolvedPath
}
"""


def test_a_resolved_path_checked_before_use(tmp_path):
    f = fs_finding(5, "src/validator.ts", "tmp.rules.path-join-resolve-traversal")
    rec, said = _reasons(tmp_path / "a", {"src/validator.ts": GUARD}, f)
    assert rec["verdict"] == "false_positive" and "which line 7 checks, throwing unless it stays inside" in said
    early = GUARD.replace("    const relative", "    if (flag) {\n        return resolvedPath\n    }\n    const relative")
    _, said = _reasons(tmp_path / "b", {"src/validator.ts": early}, f)  # returned before the check
    assert "checked before any use" not in said


GO = """package server

import (
\t"io"
\t"net/http"
)

func (s *Server) handleConfig(w http.ResponseWriter, r *http.Request) error {
\tw.Header().Set("Content-Type", "text/javascript")
\t_, err := io.WriteString(w, s.body())
\treturn err
}

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) error {
\tw.Header().Set("Content-Type", "text/html")
\t_, err := io.WriteString(w, r.URL.Query().Get("q"))
\treturn err
}

func (s *Server) handleRaw(w http.ResponseWriter, r *http.Request) error {
\t_, err := w.Write([]byte(r.URL.Query().Get("q")))
\treturn err
}

func (s *Server) handleStream(w http.ResponseWriter, r *http.Request, contentType string) error {
\tw.Header().Set("Content-Type", contentType+"; charset=utf-8")
\t_, err := w.Write([]byte(s.body()))
\treturn err
}

func (s *Server) handleJSON(w http.ResponseWriter, r *http.Request) error {
\treturn s.handleStream(w, r, "application/x-ndjson")
}
"""


def go_finding(line, rule="tmp.rules.no-io-writestring-to-responsewriter"):
    return finding(tool="semgrep", rule_id=rule, title=rule, location={"path": "server/server.go", "start_line": line,
                                                                       "end_line": line})


def test_a_go_write_with_a_non_html_content_type(tmp_path):
    rec, said = _reasons(tmp_path / "a", {"server/server.go": GO}, go_finding(10))
    assert rec["verdict"] == "false_positive"
    assert "sets its Content-Type to `text/javascript` (server/server.go:9" in said
    rec, said = _reasons(tmp_path / "b", {"server/server.go": GO}, go_finding(27, "tmp.rules.no-direct-write-to-responsewriter"))
    assert "from its parameter `contentType`" in said and "server.go:32 `application/x-ndjson`" in said


def test_html_or_no_content_type_or_an_html_caller_stays_a_finding(tmp_path):
    _, said = _reasons(tmp_path / "a", {"server/server.go": GO}, go_finding(16))  # text/html
    assert "response is not HTML" not in said
    _, said = _reasons(tmp_path / "b", {"server/server.go": GO}, go_finding(21, "tmp.rules.no-direct-write-to-responsewriter"))
    assert "response is not HTML" not in said  # no Content-Type: Go sniffs the body
    html = GO + "\nfunc (s *Server) handleHTML(w http.ResponseWriter, r *http.Request) error {\n" \
                "\treturn s.handleStream(w, r, \"text/html\")\n}\n"
    _, said = _reasons(tmp_path / "c", {"server/server.go": html}, go_finding(27, "tmp.rules.no-direct-write-to-responsewriter"))
    assert "response is not HTML" not in said
