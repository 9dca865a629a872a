#!/bin/sh
# Removes from a production install what no running LogSentinel process reads, and prints what
# each step saved. Runs in the image's build stage (deploy/docker/Dockerfile) from the project
# root, after `npm run build` and `npm prune --omit=dev`.
set -eu

size() { du -sk "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
step() { # step <what> <command...>
  what=$1; shift
  before=$(size dist node_modules)
  "$@"
  after=$(size dist node_modules)
  printf 'prune: %-58s -%6d KiB\n' "$what" $((before - after))
}

# Package roots: node_modules/<name> and node_modules/@scope/<name>.
pkgs() {
  find node_modules -mindepth 1 -maxdepth 1 -type d ! -name '@*' ! -name '.bin'
  find node_modules -mindepth 2 -maxdepth 2 -type d -path 'node_modules/@*/*'
}

rm_maps() { find dist node_modules -type f -name '*.map' -delete; }
rm_types() { find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.tsx' -o -name 'tsconfig*.json' \) -delete; }
rm_docs() { find node_modules -type f \( -iname '*.md' -o -iname '*.markdown' -o -name '.npmignore' -o -name '.eslintrc*' -o -name '.prettierrc*' -o -name '.editorconfig' -o -name '.travis.yml' \) -delete; }
# Only at a package's root: a folder named doc/ or test/ deeper down may be code (yaml has dist/doc/).
rm_pkg_dirs() {
  pkgs | while read -r p; do
    for d in test tests __tests__ docs doc example examples benchmark benchmarks bench .github coverage; do
      if [ -d "$p/$d" ]; then rm -rf "${p:?}/$d"; fi
    done
  done
}
# Debug symbols of native addons (DuckDB's library is ~11 MB smaller); dynamic symbols stay.
strip_native() {
  if command -v strip >/dev/null 2>&1; then
    find node_modules -type f \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +
  else
    echo 'prune: strip not found, native addons keep their debug symbols'
  fi
}
rm_lock() { rm -f node_modules/.package-lock.json; }

echo "prune: before: dist $(size dist) KiB, node_modules $(size node_modules) KiB"
step 'source maps (dist and packages)' rm_maps
step 'TypeScript sources and declarations in packages' rm_types
step 'docs, changelogs and dotfiles in packages' rm_docs
step 'test/, docs/, examples/, benchmarks of each package' rm_pkg_dirs
step 'debug symbols of native addons' strip_native
step 'npm hidden lock file' rm_lock
echo "prune: after: dist $(size dist) KiB, node_modules $(size node_modules) KiB"
