#!/usr/bin/env python3
"""The editors' highlighting knows every keyword of the language and no other.

The keywords are read from grammar/PolicyLexer.g4 (every rule whose alternatives are plain
literals of letters); each must be highlighted by the Neovim syntax file and the TextMate
grammar of the VS Code extension, and neither may highlight a word the lexer does not know.
Run by CTest as `editor_grammars`."""
import json
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
lexer = open(os.path.join(root, "grammar", "PolicyLexer.g4"), encoding="utf-8").read()
keywords = set()
for name, body in re.findall(r"^([A-Z_]+)\s*:\s*([^;]+);", lexer, re.M):
    literals = re.findall(r"'([^']*)'", body)
    rest = re.sub(r"'[^']*'|\|", "", body).strip()
    if literals and not rest and all(re.fullmatch(r"[a-z]+", lit) for lit in literals):
        keywords.update(literals)
if len(keywords) < 40:
    sys.exit(f"FAIL: only {len(keywords)} keywords read from the lexer; has its layout changed?")
types = {"Bool", "Int", "Decimal", "Text", "Date", "Duration", "List", "Set"}

vim = open(os.path.join(root, "editors", "nvim", "syntax", "policy.vim"), encoding="utf-8").read()
vim_words = set()
for line in vim.splitlines():
    m = re.match(r"syntax keyword \w+ (.*)$", line)
    if m:
        vim_words.update(m.group(1).split())

tm = json.load(open(os.path.join(root, "editors", "vscode", "syntaxes", "policy.tmLanguage.json"), encoding="utf-8"))
tm_words = set()
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "match" and isinstance(value, str):
                for group in re.findall(r"\\\\b\(([a-zA-Z|]+)\)\\\\b|\\b\(([a-zA-Z|]+)\)\\b", json.dumps(value)):
                    for alternatives in group:
                        tm_words.update(w for w in alternatives.split("|") if w)
            walk(value)
    elif isinstance(node, list):
        for item in node:
            walk(item)
walk(tm)

failures = 0
for editor, words in (("editors/nvim/syntax/policy.vim", vim_words),
                      ("editors/vscode/syntaxes/policy.tmLanguage.json", tm_words)):
    missing = sorted(keywords - words)
    extra = sorted(words - keywords - types)
    if missing:
        print(f"FAIL: {editor} does not highlight the keywords {missing}")
    if extra:
        print(f"FAIL: {editor} highlights words the lexer does not know: {extra}")
    failures += bool(missing) + bool(extra)
    if not missing and not extra:
        print(f"ok: {editor} highlights the {len(keywords)} keywords of the lexer")
sys.exit(1 if failures else 0)
