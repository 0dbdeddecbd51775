#!/usr/bin/env bash
# Regenerates the test-only CA and the `localhost` certificate tests/server/steam_tls.rs and the
# server's own TLS tests serve, and a second pair (renewed*) a renewal swaps in.
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
# A second CA and certificate for `localhost`: what a renewal swaps in (tests/server/deployment.rs).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
  -subj "/CN=steam-login-server renewal CA" -keyout renewed-ca.key -out renewed-ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout renewed.key -out renewed.csr
openssl x509 -req -in renewed.csr -CA renewed-ca.pem -CAkey renewed-ca.key -CAcreateserial -days 36500 \
  -out renewed.pem -extfile <(printf "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth")
openssl pkcs8 -topk8 -nocrypt -in renewed.key -out renewed.key.p8 && mv renewed.key.p8 renewed.key
rm -f renewed.csr renewed-ca.key renewed-ca.srl
