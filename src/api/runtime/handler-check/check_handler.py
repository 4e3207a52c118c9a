"""Does a Python module define a top-level name? Run at synth time by the construct (not shipped to Lambda).

    python3 check_handler.py <module file> <name> [<package dir>]

Prints one JSON object: {"status": ..., "detail": ..., "python": "3.x.y"} where status is

- "defined": a top-level statement binds the name (assignment, also annotated with a value, augmented, tuple/list
  and starred targets, walrus; def, async def, class; import / from-import, with `as`; for/with targets;
  `type` alias; match captures), also inside top-level if/try/with/for/while/match blocks;
- "absent": nothing can bind it (the import of the handler fails at the first request);
- "dynamic": it is not bound by a statement, but the module could still define it at import: a module
  `__getattr__`, `from x import *`, `globals()`/`vars()`/`exec()`/`sys.modules`/`setattr()`, a `global <name>`
  in a function, or (for a package) a submodule of that name;
- "unparsable": this Python cannot parse the file (for example syntax of a newer Python than the host's).

Only the standard library (`ast`): the host's Python, whatever its version, the same one the bundler runs.
"""
import ast
import json
import os
import sys

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
DYNAMIC_CALLS = {'globals', 'vars', 'exec', 'setattr', '__import__'}


def target_names(node):
    """Names an assignment target binds."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from target_names(element)
    elif isinstance(node, ast.Starred):
        yield from target_names(node.value)


def pattern_names(node):
    """Names a match pattern captures."""
    for child in ast.walk(node):
        for field in ('name', 'rest'):
            value = getattr(child, field, None)
            if isinstance(value, str) and child.__class__.__name__.startswith('Match'):
                yield value


def module_level_nodes(body):
    """Every node that runs in the module's own scope: statements and the expressions in them, but not the bodies
    of functions, classes and lambdas (their names are bound, their contents are not module level)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SCOPES):
            # decorators, defaults and bases run at module level; the body does not
            for field in ('decorator_list', 'bases', 'keywords'):
                stack.extend(getattr(node, field, []) or [])
            args = getattr(node, 'args', None)
            if isinstance(args, ast.arguments):
                stack.extend(d for d in list(args.defaults) + list(args.kw_defaults) if d is not None)
            continue
        stack.extend(ast.iter_child_nodes(node))


def bound_names(tree):
    names = set()
    for node in module_level_nodes(tree.body):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(target_names(target))
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:  # `handler: Mangum` alone binds nothing at run time
                names.update(target_names(node.target))
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
            names.update(target_names(node.target))
        elif isinstance(node, ast.NamedExpr):
            names.update(target_names(node.target))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            names.update(target_names(node.optional_vars))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names.add(alias.asname or alias.name.split('.')[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != '*':
                    names.add(alias.asname or alias.name)
        elif node.__class__.__name__ == 'TypeAlias':  # Python 3.12+
            names.update(target_names(node.name))
        elif node.__class__.__name__ == 'match_case':
            names.update(pattern_names(node.pattern))
    return names


def dynamic_reasons(tree, name):
    reasons = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == '__getattr__':
            reasons.append('it defines a module __getattr__')
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == '*' for a in node.names):
            reasons.append('from %s import *' % ('.' * node.level + (node.module or '')))
        elif isinstance(node, ast.Global) and name in node.names:
            reasons.append('a function declares `global %s`' % name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CALLS:
            reasons.append('it calls %s()' % node.func.id)
        elif isinstance(node, ast.Attribute) and node.attr == 'modules' \
                and isinstance(node.value, ast.Name) and node.value.id == 'sys':
            reasons.append('it uses sys.modules')
    return sorted(set(reasons))


def check(path, name, package_dir=None):
    python = '%d.%d.%d' % sys.version_info[:3]
    with open(path, 'rb') as f:
        source = f.read()
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as e:
        where = ' (line %s)' % e.lineno if getattr(e, 'lineno', None) else ''
        return {'status': 'unparsable', 'detail': '%s%s' % (getattr(e, 'msg', str(e)), where), 'python': python}
    if name in bound_names(tree):
        return {'status': 'defined', 'detail': '', 'python': python}
    reasons = dynamic_reasons(tree, name)
    if package_dir and (os.path.isfile(os.path.join(package_dir, name + '.py'))
                        or os.path.isfile(os.path.join(package_dir, name, '__init__.py'))):
        reasons.append('the package has a submodule %s' % name)
    if reasons:
        return {'status': 'dynamic', 'detail': '; '.join(reasons), 'python': python}
    return {'status': 'absent', 'detail': '', 'python': python}


if __name__ == '__main__':
    print(json.dumps(check(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)))
