#!/usr/bin/env bash
# Regenerates the test-only CA and the `localhost` certificate tests/server/steam_tls.rs serves TLS with.
# They are committed (valid for 100 years) so tests need neither openssl nor a certificate crate.
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
  -subj "/CN=steam-login-server test CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout localhost.key -out localhost.csr
openssl x509 -req -in localhost.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 \
  -out localhost.pem -extfile <(printf "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth")
openssl pkcs8 -topk8 -nocrypt -in localhost.key -out localhost.key.p8 && mv localhost.key.p8 localhost.key
rm -f localhost.csr ca.key ca.srl
