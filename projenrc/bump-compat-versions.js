// Bumps the newest end of the compatibility matrix (test/fixtures/compat/versions.json) to the newest aws-cdk-lib and
// cdk-nag on the registry, and Node to the newest release of its major; the minimum end follows the peer dependency's
// floor, the newest cdk-nag 2.x and the Node floor of package.json's engines. Run by `npx projen upgrade` (the upgrade workflow); test/compat.test.ts tests them.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const FILE = path.join(__dirname, '..', 'test', 'fixtures', 'compat', 'versions.json');

/** The newest version of a package that satisfies `range`, as `npm view` reports it. */
function newest(name, range = 'latest') {
  const out = execFileSync('npm', ['view', `${name}@${range}`, 'version', '--json'], { encoding: 'utf8' });
  const versions = [].concat(JSON.parse(out));
  return versions.sort((a, b) => compare(a, b)).pop();
}

function compare(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (pa[i] !== pb[i]) return pa[i] - pb[i];
  }
  return 0;
}

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const floor = /^\^?(\d+\.\d+\.\d+)$/.exec(pkg.peerDependencies['aws-cdk-lib']);
if (!floor) {
  throw new Error(`peerDependencies["aws-cdk-lib"] is ${pkg.peerDependencies['aws-cdk-lib']}: expected ^<version>`);
}
const nodeFloor = /^>=\s*(\d+\.\d+\.\d+)$/.exec(pkg.engines.node);
if (!nodeFloor) {
  throw new Error(`engines.node is ${pkg.engines.node}: expected >= <version>`);
}
const current = JSON.parse(fs.readFileSync(FILE, 'utf8'));
const nodeMajor = current.newest.node.split('.')[0];
const versions = {
  minimum: { 'aws-cdk-lib': floor[1], 'cdk-nag': newest('cdk-nag', '2'), 'node': nodeFloor[1] },
  newest: { 'aws-cdk-lib': newest('aws-cdk-lib'), 'cdk-nag': newest('cdk-nag'), 'node': newest('node', nodeMajor) },
};
fs.writeFileSync(FILE, JSON.stringify(versions, undefined, 2) + '\n');
console.log(`compat matrix: ${JSON.stringify(versions)}`);
