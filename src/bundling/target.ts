import * as lambda from 'aws-cdk-lib/aws-lambda';

/** Everything an installer needs to know about the Lambda platform. */
export interface PythonTarget {
  /** e.g. `3.14` */
  readonly version: string;
  /** e.g. `cp314` */
  readonly abi: string;
  /** `aarch64` or `x86_64` */
  readonly machine: string;
  /** ELF `e_machine` of native code for this machine: 183 (aarch64) or 62 (x86_64). */
  readonly elfMachine: number;
  /** Newest glibc minor version of the runtime's Amazon Linux (34 for AL2023, 26 for AL2). */
  readonly glibcMinor: number;
  /** Compatible manylinux tags for pip, newest first. */
  readonly platformTags: string[];
  /** The `--python-platform` of uv, e.g. `aarch64-manylinux_2_34`. */
  readonly uvPlatform: string;
  /** The runtime name, e.g. `python3.14`. */
  readonly runtimeName: string;
}

/** The Lambda platform of a Python runtime and architecture. */
export function resolveTarget(runtime: lambda.Runtime, architecture: lambda.Architecture): PythonTarget {
  const match = /^python(\d+)\.(\d+)$/.exec(runtime.name);
  if (runtime.family !== lambda.RuntimeFamily.PYTHON || !match || match[1] !== '3') {
    throw new Error(`Python bundling needs a Python 3 Lambda runtime (e.g. lambda.Runtime.PYTHON_3_14), got '${runtime.name}'.`);
  }
  const machines: Record<string, [string, number]> = {
    [lambda.Architecture.ARM_64.name]: ['aarch64', 183],
    [lambda.Architecture.X86_64.name]: ['x86_64', 62],
  };
  const found = machines[architecture.name];
  if (!found) {
    throw new Error(`Python bundling supports the ARM_64 and X86_64 architectures, got '${architecture.name}'.`);
  }
  const [machine, elfMachine] = found;
  const minor = Number(match[2]);
  // python3.12+ runs on Amazon Linux 2023 (glibc 2.34), python3.8-3.11 on Amazon Linux 2 (glibc 2.26).
  // pip does not expand manylinux compatibility when --platform is given, so list every compatible tag.
  const glibcMinor = minor >= 12 ? 34 : 26;
  const platformTags: string[] = [];
  for (let glibc = glibcMinor; glibc >= 17; glibc--) {
    platformTags.push(`manylinux_2_${glibc}_${machine}`);
  }
  platformTags.push(`manylinux2014_${machine}`);
  if (machine === 'x86_64') {
    // Legacy x86_64 wheels (aarch64 wheels start at manylinux2014).
    for (let glibc = 16; glibc >= 5; glibc--) {
      platformTags.push(`manylinux_2_${glibc}_${machine}`);
      if (glibc === 12) platformTags.push(`manylinux2010_${machine}`);
    }
    platformTags.push(`manylinux1_${machine}`);
  }
  return {
    version: `3.${minor}`,
    abi: `cp3${minor}`,
    machine,
    elfMachine,
    glibcMinor,
    platformTags,
    // uv knows manylinux_2_17 (2014), 2_28 and 2_31+: Amazon Linux 2 (glibc 2.26) gets 2_17, Amazon Linux 2023 2_34.
    uvPlatform: `${machine}-manylinux_2_${glibcMinor >= 34 ? 34 : 17}`,
    runtimeName: runtime.name,
  };
}

/** A short description of the target for messages, e.g. `CPython 3.14 on linux aarch64 (manylinux_2_34 .. manylinux2014)`. */
export function describeTarget(t: PythonTarget): string {
  const strip = (tag: string) => tag.replace(/_(aarch64|x86_64)$/, '');
  return `CPython ${t.version} on linux ${t.machine} (${strip(t.platformTags[0])} .. ${strip(t.platformTags[t.platformTags.length - 1])})`;
}

/** The PEP 508 marker environment of the Lambda target. */
export function markerEnvironment(t: PythonTarget): Record<string, string> {
  return {
    python_version: t.version,
    python_full_version: `${t.version}.0`,
    implementation_name: 'cpython',
    implementation_version: `${t.version}.0`,
    platform_python_implementation: 'CPython',
    platform_machine: t.machine,
    platform_system: 'Linux',
    sys_platform: 'linux',
    os_name: 'posix',
  };
}

/**
 * Whether a wheel tag (`py3-none-any`, `cp314-cp314-manylinux_2_17_aarch64`, ...) can run on the target.
 * Compressed tag sets (`cp314-cp314-manylinux_2_17_aarch64.manylinux2014_aarch64`) are expanded.
 */
export function wheelTagFits(tag: string, t: PythonTarget): boolean {
  const parts = tag.split('-');
  if (parts.length !== 3) return false;
  const [pythons, abis, platforms] = parts.map((p) => p.split('.'));
  const pythonOk = pythons.some((p) => p === 'py3' || p === `py${t.version.replace('.', '')}` || p === t.abi
    || (/^cp3\d+$/.test(p) && abis.includes('abi3') && Number(p.slice(3)) <= Number(t.abi.slice(3))));
  const abiOk = abis.some((a) => a === 'none' || a === 'abi3' || a === t.abi);
  const platformOk = platforms.some((p) => p === 'any' || t.platformTags.includes(p));
  return pythonOk && abiOk && platformOk;
}

/** Whether a wheel file name is platform independent (`*-none-any.whl`). */
export function isPureWheel(fileName: string): boolean {
  return /-none-any\.whl$/.test(fileName);
}
