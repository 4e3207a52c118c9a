"""Variants of a bundle that shrink its Python code, for the zip-size headroom table of `npx projen bench:bundling`.

Not part of the bundler. The benchmark's zip-size target (0.8x of a naive `pip install --no-compile --target`)
cannot be met by trimming what the runtime never reads; these variants measure what meeting it would cost:

  native-only          only the compiled extensions (*.so): the floor, since both bundles ship them byte-identical
  no-comments          every comment removed from every .py file, line numbers kept
  no-docstrings        every comment and every docstring removed, line numbers kept
  bytecode-only        every .py file replaced by its sourceless .pyc (optimization level 0)
  bytecode-only-OO     the same at optimization level 2 (no docstrings, no asserts)

usage: python3 scripts/zip-headroom.py <bundle folder> <output folder>
Bytecode is compiled by the interpreter that runs this script. Prints one line per variant: name, files changed,
files left unchanged because the rewrite did not compile.
"""
import ast
import io
import os
import py_compile
import shutil
import sys
import tokenize


def strip_comments(source):
    lines = io.StringIO(source).readlines()
    for tok in reversed(list(tokenize.generate_tokens(io.StringIO(source).readline))):
        if tok.type != tokenize.COMMENT or (tok.start[0] <= 2 and "coding" in tok.string):
            continue
        row, col = tok.start
        line = lines[row - 1]
        lines[row - 1] = line[:col].rstrip() + line[tok.end[1]:]
    return "".join(lines)


def strip_docstrings(source):
    lines = [line.encode("utf-8") for line in io.StringIO(source).readlines()]
    docstrings = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.append(first)
    for doc in sorted(docstrings, key=lambda d: d.lineno, reverse=True):
        start, end = doc.lineno - 1, doc.end_lineno - 1  # ast columns are UTF-8 byte offsets
        rest = lines[end][doc.end_col_offset:]
        if rest.strip():
            continue  # something follows on the same line (`"""doc"""; x = 1`): leave it
        head = lines[start][:doc.col_offset] + b'""'
        if start == end:
            lines[start] = head + rest
        else:
            lines[start] = head + b"\n"
            for row in range(start + 1, end):
                lines[row] = b"\n"
            lines[end] = rest
    return b"".join(lines).decode("utf-8")


def rewrite_sources(root, transform):
    changed = unchanged = 0
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".py"):
                continue
            file = os.path.join(folder, name)
            with open(file, encoding="utf-8") as f:
                source = f.read()
            try:
                result = transform(source)
                compile(result, file, "exec", dont_inherit=True)
                if result.count("\n") != source.count("\n"):
                    raise ValueError("line count changed")
            except (SyntaxError, ValueError, UnicodeDecodeError):
                unchanged += 1
                continue
            with open(file, "w", encoding="utf-8") as f:
                f.write(result)
            changed += 1
    return changed, unchanged


def bytecode_only(root, optimize):
    changed = unchanged = 0
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                file = os.path.join(folder, name)
                try:
                    # a sourceless .pyc next to where the .py was is what the import system loads without the source
                    py_compile.compile(file, cfile=file + "c", optimize=optimize, doraise=True)
                except py_compile.PyCompileError:
                    unchanged += 1
                    continue
                os.remove(file)
                changed += 1
    return changed, unchanged


def native_only(root):
    removed = 0
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".so"):
                os.remove(os.path.join(folder, name))
                removed += 1
    return removed, 0


def main(bundle, out):
    variants = {
        "native-only": native_only,
        "no-comments": lambda root: rewrite_sources(root, strip_comments),
        "no-docstrings": lambda root: rewrite_sources(root, lambda s: strip_docstrings(strip_comments(s))),
        "bytecode-only": lambda root: bytecode_only(root, 0),
        "bytecode-only-OO": lambda root: bytecode_only(root, 2),
    }
    for name, make in variants.items():
        target = os.path.join(out, name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(bundle, target)
        changed, unchanged = make(target)
        print(f"{name} {changed} {unchanged}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
