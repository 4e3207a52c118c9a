#!/bin/bash
# Makes the real builds whose file lists are test/fixtures/real-builds/*.txt, in /tmp/builds (outside the repo).
# Usage: scripts/make-real-builds.sh [all|vite|webpack|esbuild|angular|sveltekit|astro|next]; lists land in /tmp/builds/lists.
# Every tool is pinned here; the scaffolds (create-vite, ng new) pin their own dependencies by ranges, so each list
# records in its header the versions the build actually used.
export PATH=$HOME/.cache/cdk-spa-with-lambda-api-ci/node24/bin:$PATH
mkdir -p /tmp/builds && cd /tmp/builds
NPMI="npm install --no-audit --no-fund --prefer-offline --loglevel=error"
list() { # list <name> <outdir> <header...>
  local name=$1 dir=$2; shift 2
  { for h in "$@"; do echo "# $h"; done; (cd "$dir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); } > /tmp/builds/lists/$name.txt
  echo "== $name: $(grep -vc '^#' /tmp/builds/lists/$name.txt) files"
}
mkdir -p lists
step=${1:-all}

if [[ $step == all || $step == vite ]]; then
for t in react vue svelte; do
  [ -d vite-$t ] || npx -y create-vite@9.3.0 vite-$t --template $t --no-interactive </dev/null >/dev/null
  ( cd vite-$t && $NPMI >/dev/null
    # a few lazily loaded route chunks, as a real app has
    mkdir -p src/routes
    for r in DataTable UserProfile Settings Billing Reports Dashboard AdminPanel Checkout Search Inbox NotFound Onboarding; do
      echo "export default function $r() { return '$r-' + Math.random(); }" > src/routes/$r.js
    done
    main=$(ls src/main.* | head -1)
    grep -q routes/DataTable $main || for r in DataTable UserProfile Settings Billing Reports Dashboard AdminPanel Checkout Search Inbox NotFound Onboarding; do
      echo "window.__r_$r = () => import('./routes/$r.js');" >> $main
    done
    npx vite build >/dev/null )
  list vite-$t vite-$t/dist "create-vite 9.3.0 --template $t, vite $(cd vite-$t && node -p 'require("vite/package.json").version'), node $(node -v)" \
    "npx create-vite@9.3.0 vite-$t --template $t && npm install && (12 lazy route chunks: import('./routes/<Name>.js') in src/main) && npx vite build; list of dist/"
done
fi

if [[ $step == all || $step == webpack ]]; then
mkdir -p webpack5/src && cd webpack5
cat > package.json <<'J'
{ "name": "wp5", "private": true }
J
$NPMI webpack@5.113.0 webpack-cli@7.3.1 html-webpack-plugin@5.6.8 mini-css-extract-plugin@2.9.4 css-loader@7.1.2 >/dev/null
printf '.a{color:red}\n' > src/style.css
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' > src/logo.svg
head -c 9000 /dev/urandom > src/photo.png
cat > src/index.js <<'J'
import './style.css';
import logo from './logo.svg';
import photo from './photo.svg';
document.body.dataset.logo = logo + photo;
for (const n of ['admin', 'reports', 'settings', 'checkout', 'profile']) window['load_' + n] = () => import(`./pages/${n}.js`);
J
mkdir -p src/pages; for n in admin reports settings checkout profile; do echo "export default '$n' + Math.random();" > src/pages/$n.js; done
cat > webpack.config.js <<'J'
const HtmlWebpackPlugin = require('html-webpack-plugin');
const MiniCss = require('mini-css-extract-plugin');
module.exports = {
  mode: 'production',
  entry: './src/index.js',
  output: { filename: '[name].[contenthash].js', chunkFilename: '[name].[contenthash].chunk.js', assetModuleFilename: 'assets/[name].[hash][ext]', clean: true },
  module: { rules: [ { test: /\.css$/, use: [MiniCss.loader, 'css-loader'] }, { test: /\.(svg|png)$/, type: 'asset/resource' } ] },
  plugins: [ new HtmlWebpackPlugin({ title: 'wp5' }), new MiniCss({ filename: '[name].[contenthash].css' }) ],
  optimization: { splitChunks: { chunks: 'all' }, runtimeChunk: 'single' },
};
J
npx webpack >/dev/null
cd ..
list webpack5 webpack5/dist "webpack 5.113.0, webpack-cli 7.3.1, html-webpack-plugin 5.6.8, mini-css-extract-plugin 2.9.4, node $(node -v)" \
  "npx webpack (output [name].[contenthash].js, chunks [name].[contenthash].chunk.js, assets assets/[name].[hash][ext], splitChunks all, runtimeChunk single); list of dist/"
fi

if [[ $step == all || $step == esbuild ]]; then
mkdir -p esbuild-app/src/pages && cd esbuild-app
echo '{ "name": "esb", "private": true }' > package.json
$NPMI esbuild@0.28.2 >/dev/null
for n in about pricing docs account; do echo "export const page = '$n' + Math.random();" > src/pages/$n.js; done
echo "export const shared = () => 42;" > src/shared.js
cat > src/main.js <<'J'
import { shared } from './shared.js';
import './main.css';
for (const n of ['about', 'pricing', 'docs', 'account']) window['go_' + n] = () => import(`./pages/${n}.js`);
console.log(shared());
J
cp src/main.js src/admin.js
printf 'body{background:url(./bg.png)}\n' > src/main.css; head -c 5000 /dev/urandom > src/bg.png
rm -rf dist && npx esbuild src/main.js src/admin.js --bundle --splitting --format=esm --minify --outdir=dist --entry-names='[dir]/[name]-[hash]' --chunk-names='chunks/[name]-[hash]' --asset-names='assets/[name]-[hash]' --loader:.png=file >/dev/null 2>&1
echo '<!doctype html><script type=module src=/main.js></script>' > dist/index.html
cd ..
list esbuild esbuild-app/dist "esbuild 0.28.2, node $(node -v)" \
  "npx esbuild src/main.js src/admin.js --bundle --splitting --format=esm --minify --outdir=dist --entry-names='[dir]/[name]-[hash]' --chunk-names='chunks/[name]-[hash]' --asset-names='assets/[name]-[hash]' --loader:.png=file; plus a hand-written dist/index.html"
fi

if [[ $step == all || $step == angular ]]; then
[ -d ng-app ] || npx -y @angular/cli@22.2.7 new ng-app --defaults --skip-git --skip-tests --routing --ssr=false --zoneless </dev/null >/dev/null 2>&1 || npx -y @angular/cli@22.2.7 new ng-app --defaults --skip-git --skip-tests --routing </dev/null >/dev/null 2>&1
( cd ng-app
  # two lazily loaded routes, as a real app has
  mkdir -p src/app/pages
  for n in admin reports; do cat > src/app/pages/$n.ts <<T
import { Component } from '@angular/core';
@Component({ selector: 'app-$n', template: '<p>$n works</p>' })
export default class ${n^}Page {}
T
  done
  cat > src/app/app.routes.ts <<'T'
import { Routes } from '@angular/router';
export const routes: Routes = [
  { path: 'admin', loadComponent: () => import('./pages/admin') },
  { path: 'reports', loadComponent: () => import('./pages/reports') },
];
T
  npx ng build >/dev/null 2>&1 )
list angular ng-app/dist/ng-app/browser "@angular/cli 22.2.7, @angular/build $(cd ng-app && node -p 'require("@angular/build/package.json").version'), node $(node -v)" \
  "npx @angular/cli@22.2.7 new ng-app --defaults --skip-git --skip-tests --routing (+2 lazy routes) && npx ng build; list of dist/ng-app/browser/"
fi

if [[ $step == all || $step == sveltekit ]]; then
mkdir -p sk-app/src/routes/about sk-app/src/routes/blog/hello-world sk-app/src/routes/docs && cd sk-app
cat > package.json <<'J'
{ "name": "sk-app", "private": true, "type": "module", "scripts": { "build": "vite build" } }
J
$NPMI @sveltejs/kit@3.4.1 @sveltejs/adapter-static@4.0.1 @sveltejs/vite-plugin-svelte@7.3.3 svelte@5.60.1 vite@8.4.1 >/dev/null
rm -f svelte.config.js
echo "import { sveltekit } from '@sveltejs/kit/vite'; import adapter from '@sveltejs/adapter-static'; export default { plugins: [sveltekit({ adapter: adapter({ fallback: '200.html' }) })] };" > vite.config.js
cat > src/app.html <<'J'
<!doctype html><html><head>%sveltekit.head%</head><body><div>%sveltekit.body%</div></body></html>
J
echo "export const prerender = true;" > src/routes/+layout.js
echo '<nav><a href="/">home</a></nav><slot />' > src/routes/+layout.svelte
echo '<h1>home</h1>' > src/routes/+page.svelte
echo '<h1>about</h1>' > src/routes/about/+page.svelte
echo '<h1>blog</h1><a href="/blog/hello-world">post</a>' > src/routes/blog/+page.svelte
echo '<h1>hello world</h1>' > src/routes/blog/hello-world/+page.svelte
mkdir -p src/routes/app; echo "export const prerender = false; export const ssr = false;" > src/routes/app/+layout.js
echo '<h1>client-only app</h1>' > src/routes/app/+page.svelte
echo '<h1>docs</h1>' > src/routes/docs/+page.svelte
mkdir -p static; echo 'User-agent: *' > static/robots.txt; printf 'x' > static/favicon.png
npx vite build >/dev/null 2>&1
cd ..
list sveltekit sk-app/build "@sveltejs/kit $(cd sk-app && node -p 'require("@sveltejs/kit/package.json").version'), @sveltejs/adapter-static 4.0.1, vite $(cd sk-app && node -p 'require("vite/package.json").version'), node $(node -v)" \
  "vite.config.js sveltekit({ adapter: adapter({ fallback: '200.html' }) }), prerender = true in +layout.js (/, /about, /blog, /blog/hello-world, /docs), /app client-only; npx vite build; list of build/"
fi

if [[ $step == all || $step == astro ]]; then
mkdir -p astro-app/src/pages/blog astro-app/src/pages/docs/guides astro-app/src/components astro-app/public && cd astro-app
echo '{ "name": "astro-app", "private": true, "type": "module" }' > package.json
$NPMI astro@7.4.8 >/dev/null
echo "import { defineConfig } from 'astro/config'; export default defineConfig({ build: { inlineStylesheets: 'never' }, vite: { build: { assetsInlineLimit: 0 } } });" > astro.config.mjs
printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>' > src/components/photo.svg; rm -f src/components/photo.png
cat > src/components/Counter.astro <<'J'
---
import photo from './photo.svg';
---
<button id="c">0</button><img src={photo.src} alt="" />
<script>document.getElementById('c').addEventListener('click', (e) => { e.target.textContent = String(Number(e.target.textContent) + 1); });</script>
<style>button { color: red; }</style>
J
for p in index about blog/index blog/first-post blog/second-post docs/guides/install 404; do
  cat > src/pages/$p.astro <<J
---
import Counter from '$(echo $p | sed 's|[^/]*/|../|g; s|[^/]*$||')../components/Counter.astro';
---
<html><head><title>$p</title></head><body><h1>$p</h1><Counter /></body></html>
J
done
echo 'User-agent: *' > public/robots.txt; printf '<svg xmlns="http://www.w3.org/2000/svg"/>' > public/favicon.svg
npx astro build >/dev/null 2>&1
cd ..
list astro astro-app/dist "astro 7.4.8, node $(node -v)" "static output (default build.format directory, build.inlineStylesheets never, vite assetsInlineLimit 0, one imported image), pages /, /about, /blog, /blog/first-post, /blog/second-post, /docs/guides/install, 404; npx astro build; list of dist/"
fi

if [[ $step == all || $step == next ]]; then
for v in default trailing; do
  d=next-$v
  mkdir -p $d/app/about $d/app/blog/'[slug]' $d/app/docs/guides/install && cd $d
  echo '{ "name": "next-app", "private": true }' > package.json
  $NPMI next@16.5.0 react@19.3.1 react-dom@19.3.1 >/dev/null
  if [ $v = trailing ]; then echo "module.exports = { output: 'export', trailingSlash: true };" > next.config.js; else echo "module.exports = { output: 'export' };" > next.config.js; fi
  echo "export default function RootLayout({ children }) { return <html><body>{children}</body></html>; }" > app/layout.jsx
  echo "export default function Page() { return <h1>home</h1>; }" > app/page.jsx
  echo "export default function Page() { return <h1>about</h1>; }" > app/about/page.jsx
  echo "export default function Page() { return <h1>install</h1>; }" > app/docs/guides/install/page.jsx
  echo "export function generateStaticParams() { return [{ slug: 'hello' }, { slug: 'world' }]; } export default async function Page({ params }) { const { slug } = await params; return <h1>{slug}</h1>; }" > 'app/blog/[slug]/page.jsx'
  echo "export default function NotFound() { return <h1>not found</h1>; }" > app/not-found.jsx
  mkdir -p public; echo 'User-agent: *' > public/robots.txt
  NEXT_TELEMETRY_DISABLED=1 npx next build >/dev/null 2>&1
  cd ..
  list $d $d/out "next 16.5.0, react 19.3.1, node $(node -v)" "next.config.js { output: 'export'$([ $v = trailing ] && echo ', trailingSlash: true') }, app router pages /, /about, /blog/[slug] (hello, world), /docs/guides/install, not-found; npx next build; list of out/"
done
fi
