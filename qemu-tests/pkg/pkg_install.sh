#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# khsm-pkg: kernels default default new
# khsm-test: timeout 3000
#
# The Debian packages (make deb) installed like a user would, in the VM, on
# a persistent root (vm.sh -R: the packages, the DKMS-built modules and
# /var/lib/khsm outlive each boot), three boots (qemu-tests/pkg/run.sh):
#
# boot 1, KVER (6.1): no group hsm and no khsm.ko before; `apt-get install
#   ./*.deb` offline; DKMS built and installed khsm for the running kernel
#   (dkms status), `modprobe khsm` loads .../updates/dkms/khsm.ko; group
#   hsm made by systemd-sysusers (the harness makes none here),
#   /var/lib/khsm root:hsm 2770 (tmpfiles), /dev/hsm0 group hsm through the
#   package's udev rule (systemd-udevd runs), `p11-kit list-modules` shows
#   khsm; then as hsmuser (group hsm) with no module path: pkcs11-tool
#   through p11-kit-proxy.so inits the token, sets the PIN, makes an EC
#   key and signs (verified by OpenSSL), `p11tool --list-tokens` lists the
#   token, OpenSSL's pkcs11 engine (libengine-pkcs11-openssl, p11-kit-proxy
#   by default) signs with the key by its pkcs11: URI (verified).
# boot 2, KVER: after the reboot `modprobe khsm` and udev's `hsmctl load`
#   bring the token back: the key signs; `apt-get purge` of every khsm
#   package leaves none of their files (module, pkcs11 module, p11-kit
#   file, udev rule, hsmctl, man pages, dkms tree) but /var/lib/khsm with
#   its files; a second install (DKMS again) finds the token, the key
#   signs; then the KVER_NEW (6.12) headers (downloaded on the host by
#   run.sh) are installed with dpkg: the headers' hook has DKMS build and
#   install khsm for that kernel.
# boot 3, KVER_NEW: `modprobe khsm` loads the DKMS module built in boot 2,
#   the token is restored and its key signs.
# Log summary lines start with "# time:" (apt installs, DKMS builds).
# Env (run.sh): KHSM_PKG_DEBS the .deb directory, KHSM_PKG_KDEBS the
# KVER_NEW header .debs, KHSM_PKG_KNEW that kernel (KHSM_PKG_NEW=0: boot
# 2 stops before it), KHSM_PKG_WORK a directory on the persistent root for
# the files kept between boots.
set -u
boot=$1
DEBS=${KHSM_PKG_DEBS:?}
W=${KHSM_PKG_WORK:-/var/tmp/khsm-pkg}
PKGS="khsm-dkms khsm-tools khsm-pkcs11 libhsm1 libhsm-dev"
PROXY=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so
LABEL=pkgtest SOPIN=12345678 PIN=123456
KV=$(uname -r)

# shellcheck source=qemu-tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
finish() {
	tap_end
	exit
}
as_user() {
	(cd "$W/user" && setpriv --reuid=hsmuser --regid=hsmuser --init-groups \
		env -i PATH=/usr/bin:/bin HOME="$W/user" LANG=C.UTF-8 "$@")
}
P11() { as_user pkcs11-tool --module "$PROXY" "$@"; }

# the DKMS build of khsm for kernel $1: "# time:" line from its make.log
# (dkms writes the start date on line 2; the log's mtime is the end)
dkms_time() {
	local log st en
	log=$(find /var/lib/dkms/khsm/ -path "*/$1/x86_64/log/make.log" 2>/dev/null | head -n1)
	[ -n "$log" ] || { echo "# time: DKMS build for $1: no make.log"; return; }
	st=$(date -d "$(sed -n 2p "$log")" +%s 2>/dev/null)
	en=$(stat -c %Y "$log")
	echo "# time: DKMS build of khsm for $1: $((en - ${st:-en}))s (make.log)"
}

apt_install() { # DESC: apt-get install of every .deb, offline
	local t0=$SECONDS rc
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		-o Acquire::http::Timeout=1 -o Acquire::Retries=0 "$DEBS"/*.deb >"$W/apt.log" 2>&1
	rc=$?
	echo "# time: $1: $((SECONDS - t0))s"
	if [ $rc = 0 ]; then
		ok "$1: apt-get install ./*.deb (offline, every dependency installed)"
	else
		notok "$1: apt-get install ./*.deb exit $rc"
		tail -n 40 "$W/apt.log" | sed 's/^/#   /'
	fi
	return $rc
}

UDEVD_PID=
udev_start() {
	/lib/systemd/systemd-udevd >"$W/udevd.log" 2>&1 &
	UDEVD_PID=$!
	for _ in $(seq 50); do udevadm control --ping 2>/dev/null && return 0; sleep 0.2; done
	return 1
}
udev_stop() {
	[ -n "$UDEVD_PID" ] || return 0
	kill "$UDEVD_PID" 2>/dev/null
	wait "$UDEVD_PID" 2>/dev/null
	UDEVD_PID=
}
trap udev_stop EXIT

# modprobe khsm (udevd running: the rule's group and `hsmctl load`), and
# the module is the one DKMS installed for this kernel
load_module() {
	check "$1: modprobe khsm" modprobe khsm
	udevadm settle -t 60
	local f
	f=$(modinfo -n khsm 2>/dev/null)
	if [[ $f == /lib/modules/$KV/updates/dkms/khsm.ko* ]] && grep -q '^khsm ' /proc/modules; then
		ok "$1: loaded module is the DKMS one ($f)"
	else
		notok "$1: modinfo -n khsm: '$f' (want /lib/modules/$KV/updates/dkms/khsm.ko*)"
	fi
	check "$1: /dev/hsm0 is root:hsm 0660 (udev rule)" \
		test "$(stat -c '%U:%G %a' /dev/hsm0 2>&1)" = "root:hsm 660"
}

# the key signs through p11-kit-proxy as hsmuser, OpenSSL verifies it
sign_verify() {
	rm -f "$W/user/sig.der"
	check "$1: hsmuser signs with the token's EC key (pkcs11-tool, p11-kit proxy, no module path)" \
		P11 --token-label "$LABEL" --login --pin "$PIN" --sign -m ECDSA-SHA256 --id 01 \
			-i msg -o sig.der --signature-format openssl
	check "$1: OpenSSL verifies that signature with the saved public key" \
		openssl dgst -sha256 -verify "$W/user/pub.pem" -signature "$W/user/sig.der" "$W/user/msg"
}

token_found() { P11 -L | grep -q "token label *: $LABEL"; }
export_pub() {
	P11 --read-object --type pubkey --id 01 -o pub.der &&
		openssl pkey -pubin -inform DER -in "$W/user/pub.der" -out "$W/user/pub.pem"
}
p11tool_lists() { as_user p11tool --list-tokens | grep -q "Label: $LABEL"; }
state_kept() {
	[ "$(stat -c '%U:%G %a' /var/lib/khsm)" = 'root:hsm 2770' ] &&
		[ "$(ls -A /var/lib/khsm)" = "$(cat "$W/state.list")" ]
}

dkms_installed() { # KVER
	dkms status khsm -k "$1" 2>/dev/null | grep -q ": installed"
}

pkg_files() { # the regular files and links the packages own
	local p
	for p in $PKGS; do dpkg -L "$p" 2>/dev/null; done |
		while read -r f; do [ -f "$f" ] || [ -L "$f" ] && echo "$f"; done | sort -u
}

echo "# pkg_install boot $boot on $KV"
mkdir -p "$W"
case $boot in
1)
	if getent group hsm >/dev/null; then
		notok "before the install: no group hsm (the harness made none)"
	else
		ok "before the install: no group hsm (the harness made none)"
	fi
	check "before the install: no khsm module for $KV" \
		test -z "$(find /lib/modules/"$KV"/ -name 'khsm.ko*' 2>/dev/null)"
	apt_install "install" || finish
	dkms_time "$KV"
	check "dkms status: khsm installed for $KV" dkms_installed "$KV"
	check "group hsm exists (systemd-sysusers from /usr/lib/sysusers.d/khsm.conf)" \
		bash -c 'getent group hsm && test -f /usr/lib/sysusers.d/khsm.conf'
	check "/var/lib/khsm is root:hsm 2770 (tmpfiles.d)" \
		test "$(stat -c '%U:%G %a' /var/lib/khsm 2>&1)" = "root:hsm 2770"
	check "p11-kit list-modules shows khsm" bash -c 'p11-kit list-modules | grep -q "^khsm"'
	check "man pages installed: hsmctl(8), khsm(4), khsm-pkcs11(7) (man -w)" \
		bash -c 'man -w 8 hsmctl && man -w 4 khsm && man -w 7 khsm-pkcs11'
	useradd -m -d "$W/user" -G hsm -s /bin/bash hsmuser
	chmod 0700 "$W/user"
	if udev_start; then ok "systemd-udevd runs"; else notok "systemd-udevd does not start"; fi
	load_module "boot 1"
	as_user sh -c 'echo "signed by a packaged khsm" >msg'
	slot=$(P11 -L 2>/dev/null | awk '/^Slot [0-9]+ \(0x[0-9a-f]+\)/ { s = $3; gsub(/[():]/, "", s) }
		tolower($0) ~ /khsm/ && s != "" { print s; exit }')
	if [ -n "$slot" ]; then
		ok "pkcs11-tool through p11-kit-proxy.so lists the khsm slot ($slot)"
	else
		notok "pkcs11-tool through p11-kit-proxy.so lists the khsm slot"
		P11 -L 2>&1 | sed 's/^/#   /'
	fi
	check "hsmuser: init token" P11 --slot "${slot:-0}" --init-token --label "$LABEL" --so-pin "$SOPIN"
	check "hsmuser: set the user PIN" P11 --token-label "$LABEL" --login --login-type so \
		--so-pin "$SOPIN" --init-pin --new-pin "$PIN"
	check "hsmuser: EC P-256 key pair" P11 --token-label "$LABEL" --login --pin "$PIN" \
		--keypairgen --key-type EC:prime256v1 --id 01 --label pkgkey
	check "hsmuser: public key exported" export_pub
	sign_verify "boot 1"
	check "p11tool --list-tokens lists the khsm token" p11tool_lists
	rm -f "$W/user/esig.der"
	check "OpenSSL pkcs11 engine signs with pkcs11:token=$LABEL;object=pkgkey" \
		as_user openssl dgst -sha256 -engine pkcs11 -keyform engine \
			-sign "pkcs11:token=$LABEL;object=pkgkey;type=private?pin-value=$PIN" -out esig.der msg
	check "OpenSSL verifies the engine's signature" \
		openssl dgst -sha256 -verify "$W/user/pub.pem" -signature "$W/user/esig.der" "$W/user/msg"
	check "token state saved in /var/lib/khsm" test -n "$(ls -A /var/lib/khsm)"
	ls -A /var/lib/khsm >"$W/state.list"
	;;
2)
	check "after the reboot: khsm packages installed" dpkg -s $PKGS
	if udev_start; then ok "systemd-udevd runs"; else notok "systemd-udevd does not start"; fi
	load_module "boot 2"
	check "boot 2: the token is back (label $LABEL)" \
		token_found
	sign_verify "boot 2"
	# --- purge
	pkg_files >"$W/files.list"
	check "boot 2: rmmod khsm before the purge" rmmod khsm
	t0=$SECONDS
	if DEBIAN_FRONTEND=noninteractive apt-get purge -y $PKGS >"$W/apt.log" 2>&1; then
		ok "apt-get purge $PKGS"
	else
		notok "apt-get purge exit $?"
		tail -n 30 "$W/apt.log" | sed 's/^/#   /'
	fi
	echo "# time: purge: $((SECONDS - t0))s"
	left=$(while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done <"$W/files.list")
	if [ -z "$left" ] && [ -s "$W/files.list" ]; then
		ok "purge: none of the packages' $(wc -l <"$W/files.list") files is left"
	else
		notok "purge: files left: $(echo $left)"
	fi
	for f in /usr/sbin/hsmctl /usr/lib/x86_64-linux-gnu/pkcs11/khsm-pkcs11.so \
		 /usr/share/p11-kit/modules/khsm.module /usr/lib/udev/rules.d/60-khsm.rules \
		 /usr/share/man/man8/hsmctl.8.gz /usr/share/man/man4/khsm.4.gz \
		 /usr/share/man/man7/khsm-pkcs11.7.gz /etc/modprobe.d/khsm.conf; do
		check "purge: $f gone" test ! -e "$f"
	done
	check "purge: no khsm module in /lib/modules" \
		test -z "$(find /lib/modules/ -name 'khsm.ko*' 2>/dev/null)"
	check "purge: dkms knows no khsm, /usr/src/khsm-* gone" \
		bash -c 'test -z "$(dkms status khsm 2>/dev/null)" && ! ls -d /usr/src/khsm-* 2>/dev/null'
	check "purge: p11-kit list-modules has no khsm" bash -c '! p11-kit list-modules | grep -q "^khsm"'
	check "purge: /var/lib/khsm kept with its files (root:hsm 2770)" state_kept
	# --- install again
	apt_install "reinstall" || finish
	dkms_time "$KV"
	check "reinstall: dkms status: khsm installed for $KV" dkms_installed "$KV"
	load_module "reinstall"
	check "reinstall: the token is found again (label $LABEL)" \
		token_found
	sign_verify "reinstall"
	# --- the newer kernel's headers: DKMS builds for it
	if [ "${KHSM_PKG_NEW:-1}" = 0 ]; then
		ok "DKMS for the newer kernel # SKIP KHSM_PKG_NEW=0"
		finish
	fi
	knew=${KHSM_PKG_KNEW:-}
	if [ -z "$knew" ] || ! ls "${KHSM_PKG_KDEBS:-/nonexistent}"/*.deb >/dev/null 2>&1; then
		notok "headers of the newer kernel: none given (run.sh downloads them)"
		finish
	fi
	t0=$SECONDS
	# The headers depend on the kernel image, which the VM boots from
	# build/vm/ without installing it: --force-depends for that one.
	if dpkg -i --force-depends "$KHSM_PKG_KDEBS"/*.deb >"$W/dpkg-headers.log" 2>&1; then
		ok "dpkg -i the $knew headers (linux-headers, -common, linux-kbuild)"
	else
		notok "dpkg -i the $knew headers"
		tail -n 30 "$W/dpkg-headers.log" | sed 's/^/#   /'
	fi
	echo "# time: install of the $knew headers incl. the DKMS hook: $((SECONDS - t0))s"
	if dkms_installed "$knew"; then
		ok "the headers' hook had DKMS build and install khsm for $knew"
	else
		echo "# the hook did not build it: dkms autoinstall -k $knew"
		grep -i dkms "$W/dpkg-headers.log" | tail -n 20 | sed 's/^/#   /'
		t0=$SECONDS
		dkms autoinstall -k "$knew" >"$W/dkms-new.log" 2>&1
		echo "# time: dkms autoinstall -k $knew: $((SECONDS - t0))s"
		check "dkms status: khsm installed for $knew (dkms autoinstall -k)" dkms_installed "$knew"
	fi
	dkms_time "$knew"
	check "khsm.ko for $knew in /lib/modules/$knew/updates/dkms" \
		test -n "$(ls /lib/modules/"$knew"/updates/dkms/khsm.ko* 2>/dev/null)"
	;;
3)
	check "boot 3 runs the newer kernel ($KV = ${KHSM_PKG_KNEW:-?})" test "$KV" = "${KHSM_PKG_KNEW:-}"
	if udev_start; then ok "systemd-udevd runs"; else notok "systemd-udevd does not start"; fi
	load_module "boot 3 ($KV)"
	check "boot 3: the token is back (label $LABEL)" \
		token_found
	sign_verify "boot 3 ($KV)"
	;;
*)
	notok "no boot $boot in this scenario"
	;;
esac
finish
