#!/usr/bin/env bash
# Installs the real clients the end-to-end tests drive, when they are
# missing. Idempotent: on a machine that has them it only checks.
set -euo pipefail

# pip and venv for python3: a pyenv Python has both; Debian's python3 needs
# its python3-pip and python3-venv packages (the tests run `pip`, and poetry
# gets a venv of its own below).
if ! python3 -m pip --version >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  echo "installing python3-pip and python3-venv from Debian"
  apt-get update -qq && apt-get install -y -qq python3-pip python3-venv
fi
# pip_install installs into python3's site-packages; Debian's python3 marks
# them externally managed (PEP 668), which a test machine overrides.
pip_install() {
  python3 -m pip install --quiet "$@" 2>/dev/null || python3 -m pip install --quiet --break-system-packages "$@"
}

need_pip=()
command -v aws >/dev/null 2>&1 || need_pip+=(awscli)
python3 -c 'import boto3' >/dev/null 2>&1 || need_pip+=(boto3)
if [ ${#need_pip[@]} -gt 0 ]; then
  echo "installing ${need_pip[*]} with pip"
  pip_install "${need_pip[@]}"
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm from Debian"
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

# yarn 1 from Debian; it runs as yarnpkg with NODE_PATH=/usr/share/nodejs
# (docs/CLIENTS.md §4.2).
if ! command -v yarnpkg >/dev/null 2>&1; then
  echo "installing yarnpkg from Debian"
  apt-get update -qq && apt-get install -y -qq yarnpkg
fi

# pnpm from the npm registry (docs/CLIENTS.md §4.3).
if ! command -v pnpm >/dev/null 2>&1; then
  echo "installing pnpm with npm"
  npm install -g pnpm
fi

# cargo 1.74 or later (credential providers, sparse registries) for the
# tests of `arca login --tool cargo`: the project's machines have it from
# rustup; Debian's is older, but better than none for the other tests.
if ! command -v cargo >/dev/null 2>&1; then
  echo "installing cargo from Debian"
  apt-get update -qq && apt-get install -y -qq cargo
fi

# Maven 3.8.7 with Debian's plugin packages, which let mvn deploy, install
# and resolve offline (docs/CLIENTS.md §4.6); Debian's Gradle for the Gradle
# scenario; curl for the User Guide's curl recipe.
if ! command -v mvn >/dev/null 2>&1 || ! command -v gradle >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1 \
   || [ ! -d /usr/share/maven-repo/org/apache/maven/plugins/maven-deploy-plugin ] \
   || [ ! -d /usr/share/maven-repo/org/apache/maven/plugins/maven-dependency-plugin ]; then
  echo "installing maven, its Debian plugin packages, gradle and curl from Debian"
  apt-get update -qq && apt-get install -y -qq maven libmaven-deploy-plugin-java libmaven-install-plugin-java \
    libmaven-dependency-plugin-java maven-debian-helper gradle curl
fi

# Ruby's gem and Bundler from Debian, for `arca login --tool gem|bundler`
# (docs/CLIENTS.md: RubyGems).
if ! command -v gem >/dev/null 2>&1 || ! command -v bundle >/dev/null 2>&1; then
  echo "installing ruby and bundler from Debian"
  apt-get update -qq && apt-get install -y -qq ruby bundler
fi

# twine from Debian (it runs on Debian's python3) and uv from PyPI with
# pip, for the PyPI scenarios (docs/CLIENTS.md §4.4-§4.5); pip is the pyenv
# python's own.
if ! command -v twine >/dev/null 2>&1; then
  echo "installing twine from Debian"
  apt-get update -qq && apt-get install -y -qq twine
fi
if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv with pip"
  pip_install uv
fi

# poetry from PyPI, in a virtual environment of its own (installed with
# the AWS CLI's python, its dependencies would share that site-packages),
# linked onto PATH, for `arca login --tool poetry`.
if ! command -v poetry >/dev/null 2>&1; then
  echo "installing poetry with pip into /opt/poetry"
  python3 -m venv /opt/poetry
  /opt/poetry/bin/python -m pip install --quiet poetry
  ln -sf /opt/poetry/bin/poetry /usr/local/bin/poetry
fi

# NuGet.exe 5.8 on Mono for the NuGet scenarios (CLIENTS.md §4.8): Mono
# from Debian, the exe from the npm package nuget-exe (it holds only the
# exe), and a `nuget` wrapper on PATH, which `aws codeartifact login --tool
# nuget` runs. Debian's own nuget package (2.8.7) predates NuGet V3 and is
# not used. The dotnet SDK is not packaged for Debian bookworm, so
# `dotnet nuget` cannot run here.
if ! command -v mono >/dev/null 2>&1; then
  echo "installing mono-complete from Debian"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends mono-complete
fi
if [ ! -f /opt/nuget-exe/node_modules/nuget-exe/nuget-5.8.0.exe ]; then
  echo "installing nuget-exe@5.8.0 with npm into /opt/nuget-exe"
  mkdir -p /opt/nuget-exe
  npm install --no-audit --no-fund --prefix /opt/nuget-exe nuget-exe@5.8.0
fi
if ! command -v nuget >/dev/null 2>&1 || ! grep -q nuget-5.8.0.exe "$(command -v nuget)"; then
  printf '#!/bin/sh\nexec mono /opt/nuget-exe/node_modules/nuget-exe/nuget-5.8.0.exe "$@"\n' > /usr/local/bin/nuget
  chmod +x /usr/local/bin/nuget
fi

# PostgreSQL from Debian, for the store's conformance suite on PostgreSQL
# and the e2e tests of several replicas; scripts/postgres.sh runs a
# throwaway server of it.
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "installing postgresql from Debian"
  apt-get update -qq && apt-get install -y -qq postgresql
fi

# versitygw, an S3-compatible server (Apache-2.0), for the S3 blob store's
# conformance suite and the e2e test of `arca serve --blobs s3://...`;
# built from the Go module proxy (about 90 s) into $(go env GOPATH)/bin,
# where internal/blob/s3blob/s3test looks for it.
if ! command -v versitygw >/dev/null 2>&1 && [ ! -x "$(go env GOBIN)/versitygw" ] \
   && [ ! -x "$(go env GOPATH)/bin/versitygw" ]; then
  echo "installing versitygw with go install"
  (cd / && go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)
fi

# systemd-analyze (Debian's systemd package; nothing is started), to verify
# the example unit deploy/arca.service (deploy/deploy_test.go).
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "installing systemd-analyze from Debian"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends systemd
fi

# Chromium from Debian, for the web console's browser test (driven by
# chromedp over the DevTools protocol; e2e/console_test.go).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium from Debian"
  apt-get update -qq && apt-get install -y -qq chromium
fi

aws --version
python3 -c 'import boto3; print("boto3", boto3.__version__)'
echo "npm $(npm --version)"
echo "yarn $(NODE_PATH=/usr/share/nodejs yarnpkg --version)"
echo "pnpm $(pnpm --version)"
echo "$(cargo --version)"
python3 -m pip --version
twine --version 2>&1 | sed -n 1p || true
uv --version
poetry --version
mvn --batch-mode --version 2>&1 | sed -n 1p || true
gradle --version 2>/dev/null | sed -n "/^Gradle/p" || true
nuget help 2>/dev/null | sed -n 1p || true
chromium --version 2>/dev/null || true
"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/postgres" --version
