/**
 * Trimming of build sources (C/C++/Cython sources, package headers, man pages): the rule on a made-up site folder,
 * and a real host bundle of two PyPI wheels that ship them (markupsafe: `_speedups.c`, frozenlist: `_frozenlist.pyx`),
 * whose native modules still import from the trimmed bundle.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hostPython, INSTALL_TIMEOUT, listFiles, PYTHON, synthBundle, tmpDir, useWheelhouseAndFreshCache } from './python-bundling-util';
import { PythonInstaller } from '../../src';
import { trimInstalled } from '../../src/bundling/postprocess';
import { lastPythonBundleReport } from '../../src/bundling/python-bundling';

useWheelhouseAndFreshCache();

describe('trimInstalled', () => {
  const files = {
    'pkg/__init__.py': 'x = 1\n',
    'pkg/_speedups.c': 'int x;\n',
    'pkg/_impl.cpp': '//\n',
    'pkg/_fast.pyx': 'cdef int x\n',
    'pkg/_fast.pxd': 'cdef int x\n',
    'pkg/_inc.pxi': '\n',
    'pkg/_fast.cpython-311-x86_64-linux-gnu.so': 'ELF',
    'pkg/include/pkg/api.h': '#define X\n',
    'pkg/core/include/deep.hpp': '//\n',
    'pkg/cffi_runtime.h': '/* read by cffi at run time: kept */\n',
    'pkg/data/table.csv': 'a,b\n',
    'include/__init__.py': '# a top-level package named include: kept\n',
    'include/header.h': '// kept: not inside a package\n',
    'pkg-1.0.dist-info/METADATA': 'Name: pkg\n',
    'pkg-1.0.dist-info/RECORD': 'pkg/_speedups.c,,\n',
    'share/man/man1/tool.1': '.TH\n',
  };
  function site(): string {
    const dir = tmpDir('trim-site-');
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }
    return dir;
  }

  test('removes C/C++/Cython sources, headers in a package\'s include/ and share/man; keeps .py, .so, data, metadata and other headers', () => {
    const dir = site();
    const result = trimInstalled(dir);
    expect(listFiles(dir).sort()).toEqual([
      'include/__init__.py', 'include/header.h', 'pkg-1.0.dist-info/METADATA', 'pkg-1.0.dist-info/RECORD', 'pkg/__init__.py',
      'pkg/_fast.cpython-311-x86_64-linux-gnu.so', 'pkg/cffi_runtime.h', 'pkg/data/table.csv',
    ]);
    const removed = ['pkg/_speedups.c', 'pkg/_impl.cpp', 'pkg/_fast.pyx', 'pkg/_fast.pxd', 'pkg/_inc.pxi', 'pkg/include/pkg/api.h',
      'pkg/core/include/deep.hpp', 'share/man/man1/tool.1'];
    expect(result.sourceFiles).toBe(removed.length);
    expect(result.sourceBytes).toBe(removed.reduce((n, f) => n + Buffer.byteLength((files as Record<string, string>)[f]), 0));
  });

  test('removes the headers pip and uv leave in a root include/ (greenlet\'s), and the folder with them', () => {
    const dir = tmpDir('trim-root-include-');
    const header = path.join(dir, 'include', 'site', 'python3.14', 'greenlet', 'greenlet.h');
    fs.mkdirSync(path.dirname(header), { recursive: true });
    fs.writeFileSync(header, '/* greenlet C API */\n');
    fs.mkdirSync(path.join(dir, 'greenlet'));
    fs.writeFileSync(path.join(dir, 'greenlet', '__init__.py'), '');
    const result = trimInstalled(dir);
    expect(listFiles(dir)).toEqual(['greenlet/__init__.py']);
    expect(fs.existsSync(path.join(dir, 'include'))).toBe(false);
    expect(result.sourceFiles).toBe(1);
  });

  test('keeps them all with buildSources false', () => {
    const dir = site();
    const result = trimInstalled(dir, { buildSources: false });
    expect(result.sourceFiles).toBe(0);
    expect(listFiles(dir)).toEqual(expect.arrayContaining(['pkg/_speedups.c', 'pkg/_fast.pyx', 'pkg/include/pkg/api.h', 'share/man/man1/tool.1']));
  });
});

describe('a host bundle of wheels that ship build sources', () => {
  const host = hostPython();
  const runsOnHost = host.runtime !== undefined && process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch);
  const project = tmpDir('trim-project-');
  fs.mkdirSync(path.join(project, 'app'));
  fs.writeFileSync(path.join(project, 'app', '__init__.py'), '');
  fs.writeFileSync(path.join(project, 'app', 'main.py'), 'def handler(event, context):\n    return {}\n');
  fs.writeFileSync(path.join(project, 'requirements.txt'), 'markupsafe==3.0.4\nfrozenlist==1.8.0\n');

  (runsOnHost ? test : test.skip)('has no .c or .pyx, its native modules import from the trimmed bundle, and the report counts them', () => {
    const { bundle, messages } = synthBundle({
      entry: project, runtime: host.runtime, architecture: host.architecture, installer: PythonInstaller.PIP,
    });
    const files = listFiles(bundle);
    expect(files.filter((f) => /\.(c|pyx|pxd)$/.test(f))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^markupsafe\/_speedups\.cpython-.*\.so$/),
      expect.stringMatching(/^frozenlist\/_frozenlist\.cpython-.*\.so$/)]));
    const report = lastPythonBundleReport()!;
    expect(report.trimmedSourceBytes).toBeGreaterThanOrEqual(4327 + 3708); // _speedups.c + _frozenlist.pyx as the wheels ship them
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/; trimmed \d+\.\d MiB \(build sources 0\.0 MiB\);/)]));
    const imported = spawnSync(PYTHON, ['-S', '-s', '-c',
      'import sys; sys.path.insert(0, sys.argv[1]); import markupsafe, markupsafe._speedups as s, frozenlist, frozenlist._frozenlist as f; '
      + 'print(s.__file__.endswith(".so"), f.__file__.endswith(".so"), frozenlist.FrozenList.__module__, str(markupsafe.escape("<a>")))', bundle], { encoding: 'utf8' });
    expect({ status: imported.status, out: imported.stdout.trim(), err: imported.stderr }).toEqual({ status: 0, out: 'True True frozenlist._frozenlist &lt;a&gt;', err: '' });
  }, INSTALL_TIMEOUT);

  (runsOnHost ? test : test.skip)('trimBuildSources false keeps them (and is a different asset)', () => {
    const { bundle } = synthBundle({
      entry: project, runtime: host.runtime, architecture: host.architecture, installer: PythonInstaller.PIP, trimBuildSources: false,
    });
    expect(listFiles(bundle)).toEqual(expect.arrayContaining(['markupsafe/_speedups.c', 'frozenlist/_frozenlist.pyx']));
  }, INSTALL_TIMEOUT);
});
