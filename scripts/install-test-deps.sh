#!/usr/bin/env bash
# Installs the real clients the end-to-end tests drive, when they are
# missing. Idempotent: on a machine that has them it only checks.
set -euo pipefail

need_pip=()
command -v aws >/dev/null 2>&1 || need_pip+=(awscli)
python3 -c 'import boto3' >/dev/null 2>&1 || need_pip+=(boto3)
if [ ${#need_pip[@]} -gt 0 ]; then
  echo "installing ${need_pip[*]} with pip"
  python3 -m pip install --quiet "${need_pip[@]}"
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm from Debian"
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

aws --version
python3 -c 'import boto3; print("boto3", boto3.__version__)'
echo "npm $(npm --version)"
