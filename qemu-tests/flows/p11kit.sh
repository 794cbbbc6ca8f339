#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# p11-kit finds khsm through the shipped module file: the file
# (pkcs11/khsm.module) is installed as a user module config pointing at the
# built khsm-pkcs11.so, then `p11-kit list-modules` and pkcs11-tool through
# the p11-kit proxy must see the khsm token. Runs as hsmuser (p11-kit ignores
# user configuration for root).
. "$(dirname "$0")/tap.inc"
flow_require_module
if [ "$(id -u)" = 0 ]; then
	echo "1..0 # SKIP p11-kit reads user module configs only for non-root users"
	exit 0
fi
PROXY=$(ls /usr/lib/*/p11-kit-proxy.so 2>/dev/null | head -n1)
SHIPPED=$FLOW_REPO/pkcs11/khsm.module

flow_init_token

check "shipped pkcs11/khsm.module names khsm-pkcs11.so" \
	"grep -Eq '^module: *(.*/)?khsm-pkcs11\.so\$' '$SHIPPED'"
# The shipped file with the module path made absolute (a relative path is
# looked up in p11-kit's system module directory, not in the build tree).
CONF=$HOME/.config/pkcs11/modules
mkdir -p "$CONF"
trap 'rm -rf "$W" "$CONF/khsm.module"' EXIT
sed "s|^module:.*|module: $MOD|" "$SHIPPED" >"$CONF/khsm.module"

step "p11-kit list-modules" p11-kit list-modules &&
	check "p11-kit lists module khsm with the initialised token" \
		'awk "/^khsm:/{m=1} m&&/token: *$LABEL/{t=1} END{exit !(m&&t)}" <<<"$OUT"'
if [ -n "$PROXY" ]; then
	step "pkcs11-tool through p11-kit-proxy.so lists the khsm token" \
		pkcs11-tool --module "$PROXY" -T &&
		check "token $LABEL visible through the proxy" 'grep -q "$LABEL" <<<"$OUT"'
	step "pkcs11-tool --generate-random through the proxy" \
		pkcs11-tool --module "$PROXY" --token-label "$LABEL" --generate-random 16 -o r &&
		check "16 random bytes" '[ "$(stat -c %s r)" = 16 ]'
else
	skip_step "pkcs11-tool through p11-kit-proxy.so" "p11-kit-proxy.so not found"
fi
flow_end
