// Jest globalSetup / globalTeardown (wired in .projenrc.ts): every test run gets a temp folder of its own, as
// TMPDIR, and it is removed when the run ends. Everything a test leaves in os.tmpdir() (the cdk.out* folder of
// each `new App()`, staged assets, bundles) goes with it, including what a failed or interrupted test did not
// clean up. The test helpers also clean up after themselves (test/util.ts, test/bundling/python-bundling-util.ts).
const fs = require('fs');
const os = require('os');
const path = require('path');

const KEY = 'CDK_SPA_TEST_TMPDIR';

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-jest-run-'));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
}

async function teardown() {
  const dir = process.env[KEY];
  if (dir && path.basename(dir).startsWith('spa-jest-run-')) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { setup, teardown };
