#!/usr/bin/env bash
# Certificates for the TLS tests, made fresh with openssl (issue 12): a test CA, a server
# certificate it signs for 127.0.0.1 and localhost, one for another name only (a name
# mismatch), and an unrelated CA (the wrong CA). Valid for two days; nothing is installed.
#   make_test_certificates.sh DIR   -> DIR/{ca.pem, server.pem, server.key, other-name.pem,
#                                          other-name.key, wrong-ca.pem}
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1 || { echo "make_test_certificates: $* failed" >&2; "$@"; exit 1; }; }

quiet openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=hubspec test CA" \
  -keyout ca.key -out ca.pem
quiet openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=unrelated CA" \
  -keyout wrong-ca.key -out wrong-ca.pem

issue() { # issue NAME SUBJECT_ALT_NAMES
  quiet openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$1" -keyout "$1.key" -out "$1.csr"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
    "$2" >"$1.ext"
  quiet openssl x509 -req -sha256 -days 2 -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
    -extfile "$1.ext" -out "$1.pem"
  rm -f "$1.csr" "$1.ext"
}
issue server "IP:127.0.0.1,DNS:localhost"
issue other-name "DNS:service.example"
