#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khsm-test: root
# khsm-test: timeout 900
#
# The udev rule (udev/60-khsm.rules) under Debian's real systemd-udevd, and
# per-token groups with users alice (group hsm-a), bob (hsm-b) and carol
# (neither):
#   - udevd runs with the repo's rule (in /run/udev/rules.d, RUN pointing
#     at the build's hsmctl, KHSM_STATE_DIR at this flow's directory,
#     root:hsm 2770 as /var/lib/khsm; alice and bob are in group hsm for
#     it, no token is);
#   - coldplug: /dev/hsm0 (group hsm-a in the kernel) set to root:root 0600
#     by hand, `udevadm trigger --action=add`, `udevadm settle`: udev gave
#     it group hsm-a and mode 0660 from the numeric $attr{khsm_gid};
#   - sysfs: khsm_gid readable by anyone, khsm_label/khsm_serial by root only;
#   - `hsmctl token add --group hsm-b` at run time: udev gives /dev/hsm1
#     group hsm-b;
#   - alice and bob each initialise, log in, generate an EC key and sign
#     (verified by OpenSSL) with unmodified pkcs11-tool on their own token;
#     the other's device: EACCES (also with the node made 0666: the kernel
#     checks the group), through PKCS#11 a clean error and no crash;
#     carol opens neither and pkcs11-tool shows her no usable token;
#   - `hsmctl token set-group`: udev follows the kernel's group (change
#     uevent), and back;
#   - bob's token removed and added again: udev's `hsmctl load` brought
#     its saved state back (label, and bob's key signs again);
#   - a site rule (README) that runs `hsmctl token set-group %k hsm-a` at
#     "add" of hsm2: the kernel's group changes, the node follows.
# udevd is killed at the end.
. "$(dirname "$0")/tap.inc"
flow_require_module
flow_require_hsmctl
UDEVD=/lib/systemd/systemd-udevd
if [ ! -x "$UDEVD" ] || ! command -v udevadm >/dev/null; then
	echo "1..0 # SKIP no systemd-udevd/udevadm (apt-get install udev; make deps)"
	exit 0
fi
if ! grep -q ' / overlay ' /proc/mounts; then
	echo "1..0 # SKIP not in the khsm VM (would start udevd and add users on this machine)"
	exit 0
fi
RULE=/run/udev/rules.d/60-khsm.rules
STATE=$W/state
UDEVD_PID=
MON_PID=
cleanup() {
	[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
	if [ -n "$UDEVD_PID" ]; then
		kill "$UDEVD_PID" 2>/dev/null
		wait "$UDEVD_PID" 2>/dev/null
	fi
	rm -f "$RULE" /run/udev/rules.d/61-khsm-local.rules
	rm -rf "$W"
}
trap cleanup EXIT

# --- users, groups, state directory --------------------------------------------
groupadd -f hsm-a && groupadd -f hsm-b
# alice and bob are also in group hsm, the state directory's group (as on a
# host after `make install`: /var/lib/khsm root:hsm 2770); no token here
# has group hsm.
id alice >/dev/null 2>&1 || useradd -m -U -G hsm-a,hsm -s /bin/bash alice
id bob >/dev/null 2>&1 || useradd -m -U -G hsm-b,hsm -s /bin/bash bob
id carol >/dev/null 2>&1 || useradd -m -U -s /bin/bash carol
GA=$(getent group hsm-a | cut -d: -f3)
GB=$(getent group hsm-b | cut -d: -f3)
export GA GB
chmod 0755 "$W"
mkdir -m 2770 "$STATE" && chgrp hsm "$STATE"
for u in alice bob carol; do
	install -d -o $u -g $u -m 0700 "$W/$u"
done
head -c 1000 /dev/urandom >"$W/msg" && chmod 0644 "$W/msg"
# pkcs11-tool as a user, in his directory, with the flow's state directory.
as() {
	local u=$1
	shift
	(cd "$W/$u" && setpriv --reuid="$u" --regid="$u" --init-groups \
		env HOME="$W/$u" KHSM_STATE_DIR="$STATE" "$@")
}
export -f as
P11S="${P11[*]}"	# for check's bash -c (the module path has no blanks)
export W STATE P11S SO_PIN USER_PIN

# --- khsm with one token of group hsm-a; udevd with the repo's rule ------------
step "khsm with /dev/hsm0 of group hsm-a (gid=$GA)" \
	"$FLOW_REPO/qemu-tests/vm/khsm-load" --reload tokens=1 "gid=$GA"
mkdir -p /run/udev/rules.d
{
	echo "# Test copy of udev/60-khsm.rules: the build's hsmctl, this flow's state."
	echo "SUBSYSTEM==\"misc\", KERNEL==\"hsm[0-9]*\", ENV{KHSM_STATE_DIR}=\"$STATE\""
	sed "s|/usr/sbin/hsmctl|$HSMCTL|" "$FLOW_REPO/udev/60-khsm.rules"
} >"$RULE"
step "the rule as udevd reads it" cat "$RULE"
SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console "$UDEVD" >"$W/udevd.log" 2>&1 &
UDEVD_PID=$!
check "systemd-udevd runs" 'for i in $(seq 100); do udevadm control --ping 2>/dev/null && exit 0; sleep 0.2; done; exit 1'
# The kernel's uevents of the misc devices, to see the change events.
stdbuf -oL udevadm monitor --kernel --subsystem-match=misc >"$W/uevents.log" 2>&1 &
MON_PID=$!
sleep 1
settle() { udevadm settle --timeout=120; }

# --- coldplug ------------------------------------------------------------------
step "/dev/hsm0 set to root:root 0600 by hand" bash -c 'chgrp root /dev/hsm0 && chmod 0600 /dev/hsm0'
step "udevadm trigger --action=add (misc, hsm*) and settle" \
	bash -c "udevadm trigger --action=add --subsystem-match=misc --sysname-match='hsm[0-9]*' && udevadm settle --timeout=120"
step "stat /dev/hsm0" stat -c '%U:%G %a' /dev/hsm0 &&
	check "udev gave it root:hsm-a 0660" '[ "$OUT" = "root:hsm-a 660" ]'

# --- sysfs attributes ----------------------------------------------------------
step "khsm_gid of hsm0 (as carol: world-readable)" as carol cat /sys/class/misc/hsm0/khsm_gid &&
	check "the gid of hsm-a" '[ "$OUT" = "$GA" ]'
step_fails "khsm_label as carol" "Permission denied" as carol cat /sys/class/misc/hsm0/khsm_label
check "khsm_label and khsm_serial are 0400 root" \
	'[ "$(stat -c %a:%U /sys/class/misc/hsm0/khsm_label /sys/class/misc/hsm0/khsm_serial | sort -u)" = 400:root ]'
step "khsm_serial of hsm0 (root)" cat /sys/class/misc/hsm0/khsm_serial &&
	check "16 hex digits" '[[ "$OUT" =~ ^[0-9a-f]{16}$ ]]'

# --- a token added at run time ---------------------------------------------------
NEW=
step "hsmctl token add --group hsm-b" "$HSMCTL" token add --group hsm-b && NEW=$LAST_OUT
export NEW
check "it is hsm1" '[ "$NEW" = hsm1 ]'
step "udevadm settle" settle
step "stat /dev/hsm1" stat -c '%U:%G %a' /dev/hsm1 &&
	check "udev gave it root:hsm-b 0660" '[ "$OUT" = "root:hsm-b 660" ]'

# --- alice on hsm0, bob on hsm1 --------------------------------------------------
for who in alice:0 bob:1; do
	u=${who%:*} s=${who#*:}
	step "$u: --init-token on slot $s" \
		as "$u" "${P11[@]}" --slot "$s" --init-token --label "$u-token" --so-pin "$SO_PIN"
	step "$u: --init-pin" as "$u" "${P11[@]}" --slot "$s" --login --login-type so \
		--so-pin "$SO_PIN" --init-pin --new-pin "$USER_PIN"
	step "$u: EC P-256 key pair" as "$u" "${P11[@]}" --slot "$s" --login --pin "$USER_PIN" \
		--keypairgen --key-type EC:prime256v1 --id "0${s}a1" --label "$u-key" --usage-sign
	step "$u: ECDSA-SHA256 signature" as "$u" "${P11[@]}" --slot "$s" --login --pin "$USER_PIN" \
		--sign -m ECDSA-SHA256 --id "0${s}a1" -i "$W/msg" -o sig --signature-format openssl
	step "$u: public key read back" as "$u" "${P11[@]}" --slot "$s" \
		--read-object --type pubkey --id "0${s}a1" -o pub.der &&
		step "openssl verifies $u's signature" bash -c \
			"openssl pkey -pubin -inform DER -in '$W/$u/pub.der' -out '$W/$u/pub.pem' &&
			 openssl dgst -sha256 -verify '$W/$u/pub.pem' -signature '$W/$u/sig' '$W/msg'"
done

check "a change uevent of hsm0 after alice's C_InitToken" \
	'grep -q "change *[^ ]*/misc/hsm0 (misc)" "$W/uevents.log" || { cat "$W/uevents.log"; exit 1; }'

check "alice cannot open /dev/hsm1 (EACCES)" \
	'out=$(as alice bash -c "exec 3</dev/hsm1" 2>&1); r=$?; echo "$out"; [ $r != 0 ] && grep -q "Permission denied" <<<"$out"'
check "bob cannot open /dev/hsm0 (EACCES)" \
	'out=$(as bob bash -c "exec 3</dev/hsm0" 2>&1); r=$?; echo "$out"; [ $r != 0 ] && grep -q "Permission denied" <<<"$out"'
check "with /dev/hsm1 made 0666, the kernel still refuses alice (EACCES)" \
	'chmod 0666 /dev/hsm1; out=$(as alice bash -c "exec 3</dev/hsm1" 2>&1); r=$?; chmod 0660 /dev/hsm1; echo "$out"; [ $r != 0 ] && grep -q "Permission denied" <<<"$out"'
check "carol opens neither" \
	'for d in /dev/hsm0 /dev/hsm1; do out=$(as carol bash -c "exec 3<$d" 2>&1) && exit 1; echo "$out"; grep -q "Permission denied" <<<"$out" || exit 1; done'

# Through PKCS#11: each sees his own token; the other's slot is no token
# (C_GetTokenInfo fails cleanly); nothing crashes.
for u in alice bob carol; do
	export U=$u
	check "$u: pkcs11-tool -L exits without a crash" \
		'as $U $P11S -L >"$W/$U.L" 2>&1; r=$?; cat "$W/$U.L"; [ $r -lt 128 ]'
done
check "alice's list shows alice-token, not bob-token" \
	'grep -q "alice-token" "$W/alice.L" && ! grep -q "bob-token" "$W/alice.L"'
check "bob's list shows bob-token, not alice-token" \
	'grep -q "bob-token" "$W/bob.L" && ! grep -q "alice-token" "$W/bob.L"'
check "carol's list shows neither token" \
	'! grep -q "alice-token\|bob-token" "$W/carol.L"'
check "alice: login on bob's slot fails cleanly (no crash)" \
	'out=$(as alice $P11S --slot 1 --login --pin "$USER_PIN" -O 2>&1); r=$?; echo "$out"; [ $r != 0 ] && [ $r -lt 128 ]'
check "bob: signing on alice's slot fails cleanly (no crash)" \
	'out=$(as bob $P11S --slot 0 --login --pin "$USER_PIN" --sign -m ECDSA-SHA256 --id 00a1 -i "$W/msg" -o sig 2>&1); r=$?; echo "$out"; [ $r != 0 ] && [ $r -lt 128 ]'
check "carol: init-token on slot 0 fails cleanly (no crash)" \
	'out=$(as carol $P11S --slot 0 --init-token --label x --so-pin "$SO_PIN" 2>&1); r=$?; echo "$out"; [ $r != 0 ] && [ $r -lt 128 ]'

# --- set-group: udev follows the kernel ------------------------------------------
step "hsmctl token set-group hsm1 hsm-a" "$HSMCTL" token set-group hsm1 hsm-a &&
	step "udevadm settle" settle &&
	step "stat /dev/hsm1" stat -c '%G %a' /dev/hsm1 &&
	check "group hsm-a now (change uevent), mode 0660" '[ "$OUT" = "hsm-a 660" ]'
check "khsm_gid says hsm-a" '[ "$(cat /sys/class/misc/hsm1/khsm_gid)" = "$GA" ]'
step "/proc/keys: hsm1's keyring and keys" bash -c \
	'ser=$(cat /sys/class/misc/hsm1/khsm_serial); grep -E " keyring +khsm:hsm1: | khsm +$ser:" /proc/keys'
check "the keyring and bob's two keys have group hsm-a now" \
	'[ "$(wc -l <<<"$OUT")" = 3 ] && [ "$(awk "{print \$7}" <<<"$OUT" | sort -u)" = "$GA" ]'
check "alice can open /dev/hsm1 now, bob cannot" \
	'as alice bash -c "exec 3</dev/hsm1" && ! as bob bash -c "exec 3</dev/hsm1" 2>/dev/null'
step "hsmctl token set-group hsm1 hsm-b (back)" "$HSMCTL" token set-group hsm1 hsm-b &&
	step "udevadm settle" settle &&
	step "stat /dev/hsm1" stat -c '%G %a' /dev/hsm1 &&
	check "group hsm-b again" '[ "$OUT" = "hsm-b 660" ]'

# --- remove bob's token, add it again: udev's hsmctl load --------------------------
check "bob's state was saved (hsm1 link, header)" '[ -L "$STATE/hsm1" ] && [ -s "$STATE/hsm1/header" ]'
step "hsmctl token remove hsm1" "$HSMCTL" token remove hsm1 &&
	step "udevadm settle" settle &&
	check "/dev/hsm1 is gone" '[ ! -e /dev/hsm1 ]'
NEW=
step "hsmctl token add --group hsm-b (again)" "$HSMCTL" token add --group hsm-b && NEW=$LAST_OUT
export NEW
check "it is hsm1 again" '[ "$NEW" = hsm1 ]'
step "udevadm settle" settle
step "stat /dev/hsm1" stat -c '%U:%G %a' /dev/hsm1 &&
	check "root:hsm-b 0660" '[ "$OUT" = "root:hsm-b 660" ]'
step "khsm_label of the new hsm1 (root)" cat /sys/class/misc/hsm1/khsm_label &&
	check "bob-token: udev ran hsmctl load" '[ "$OUT" = bob-token ]'
check "the kernel log has the load" 'dmesg | grep -q "hsm1: sealed state loaded"'
check "add, then a change uevent (the load) of the new hsm1" \
	'tail -n 4 "$W/uevents.log" | grep -q "change *[^ ]*/misc/hsm1 (misc)" || { tail -n 20 "$W/uevents.log"; exit 1; }'
step "bob signs with his key again" as bob "${P11[@]}" --slot 1 --login --pin "$USER_PIN" \
	--sign -m ECDSA-SHA256 --id 01a1 -i "$W/msg" -o sig2 --signature-format openssl &&
	step "openssl verifies it with the public key from before" \
		openssl dgst -sha256 -verify "$W/bob/pub.pem" -signature "$W/bob/sig2" "$W/msg"

# --- a site's own rule may set a token's group at add: in the kernel --------------
{
	echo "# README's example: /dev/hsm2 belongs to hsm-a, set in the kernel at add."
	echo "ACTION==\"add\", SUBSYSTEM==\"misc\", KERNEL==\"hsm2\", RUN+=\"$HSMCTL token set-group %k hsm-a\""
} >/run/udev/rules.d/61-khsm-local.rules
RULE2=/run/udev/rules.d/61-khsm-local.rules
step "udevadm control --reload (a local rule for hsm2)" udevadm control --reload
step "hsmctl token add --group hsm-b (hsm2)" "$HSMCTL" token add --group hsm-b && NEW=$LAST_OUT
export NEW
check "it is hsm2" '[ "$NEW" = hsm2 ]'
step "udevadm settle" settle
check "the local rule regrouped it in the kernel: khsm_gid is hsm-a's" \
	'[ "$(cat /sys/class/misc/hsm2/khsm_gid)" = "$GA" ]'
step "stat /dev/hsm2" stat -c '%U:%G %a' /dev/hsm2 &&
	check "and the change uevent gave the node root:hsm-a 0660" '[ "$OUT" = "root:hsm-a 660" ]'
rm -f "$RULE2"
step "root: --init-token of hsm2 with a label of a backslash and UTF-8" \
	env KHSM_STATE_DIR=none "${P11[@]}" --slot 2 --init-token --label 'a\b é' --so-pin "$SO_PIN"
step "khsm_label of hsm2" cat /sys/class/misc/hsm2/khsm_label &&
	check "one line, the backslash and the bytes of é escaped" '[ "$OUT" = "a\\134b \\303\\251" ]'

# --- udevd's own word ---------------------------------------------------------------
check "udevd ran hsmctl load for hsm1 (its log)" \
	'grep -E "hsmctl load hsm1|hsmctl.*load.*hsm1" "$W/udevd.log" | head -n 5 | grep -q .'
if [ "$TAP_FAILS" != 0 ]; then
	echo "# udevd log (last 80 lines):"
	tail -n 80 "$W/udevd.log" | sed 's/^/#   /'
fi
flow_end
