// Copies the runtime files that ship inside assets (src/<concept>/runtime/**: the CloudFront Function, the
// origin-verification layer, the site deploy handler) next to the compiled code in lib/, where the
// constructs read them with path.join(__dirname, 'runtime', ...). jsii compiles only the TypeScript.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
let copied = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (!entry.isDirectory()) continue;
    if (entry.name === 'runtime') {
      const target = path.join(root, 'lib', path.relative(path.join(root, 'src'), full));
      fs.rmSync(target, { recursive: true, force: true });
      fs.cpSync(full, target, {
        recursive: true,
        filter: (src) => !/(^|[\\/])(__pycache__|\.pytest_cache)([\\/]|$)|\.py[co]$/.test(src),
      });
      copied++;
    } else {
      walk(full);
    }
  }
}
walk(path.join(root, 'src'));
console.log(`copied ${copied} runtime folders from src/ to lib/`);
