#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared, per-kernel VM preparation (run under flock by vm.sh):
#   $OUT/root/            Debian linux-image-$KVER unpacked (dpkg-deb -x), depmod'ed
#   $OUT/vmlinuz          the kernel image
#   $OUT/initrd.gz        busybox-static + the modules needed to reach the 9p root
#                         (m/order) and the ext4 disk of vm.sh -R (m/order-disk)
#                         + qemu-tests/vm/init as /init
# Usage: prep.sh KVER OUTDIR
set -euo pipefail

KVER=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)

die() { echo "khsm-vm prep: $*" >&2; exit 1; }

mkdir -p "$OUT"

# 1. kernel image package, unpacked once per KVER
if [ ! -e "$OUT/root/.unpacked" ]; then
	rm -rf "$OUT/root" "$OUT/deb"
	mkdir -p "$OUT/deb"
	echo "khsm-vm prep: downloading linux-image-$KVER" >&2
	# apt drops privileges to _apt for downloads; a world-writable dir avoids the warning
	chmod 0777 "$OUT/deb"
	# The signed image (linux-signed-amd64) can lag a day or more behind
	# the -unsigned one built from the same source, whose headers apt
	# already offers; both hold the same kernel and modules for a VM that
	# does not Secure Boot.
	deb=
	for pkg in "linux-image-$KVER" "linux-image-$KVER-unsigned"; do
		if (cd "$OUT/deb" && apt-get download -q "$pkg" >/dev/null 2>&1); then
			deb=$(ls "$OUT"/deb/"$pkg"_*.deb 2>/dev/null | head -n1)
			[ -z "$deb" ] || break
		fi
		echo "khsm-vm prep: apt has no $pkg to download" >&2
	done
	[ -n "$deb" ] ||
		die "apt-get download linux-image-$KVER (or -unsigned) failed (is the suite carrying it in apt sources? run 'apt-get update')"
	mkdir -p "$OUT/root"
	dpkg-deb -x "$deb" "$OUT/root"
	[ -d "$OUT/root/lib/modules/$KVER" ] || die "$deb has no lib/modules/$KVER"
	depmod -b "$OUT/root" "$KVER" || die "depmod -b $OUT/root $KVER failed"
	rm -rf "$OUT/deb"
	touch "$OUT/root/.unpacked"
fi
ln -sf "root/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
[ -r "$OUT/vmlinuz" ] || die "kernel image $OUT/root/boot/vmlinuz-$KVER missing"

# 2. initramfs: rebuilt when the init script or this script changes
if [ ! -e "$OUT/initrd.gz" ] || [ "$HERE/init" -nt "$OUT/initrd.gz" ] ||
   [ "$0" -nt "$OUT/initrd.gz" ]; then
	BB=$(command -v busybox || true)
	[ -n "$BB" ] || die "busybox not found (apt-get install busybox-static)"
	if readelf -d "$BB" 2>/dev/null | grep -q NEEDED; then
		die "$BB is dynamically linked (apt-get install busybox-static)"
	fi
	ird=$(mktemp -d "$OUT/initrd.XXXXXX")
	trap 'rm -rf "$ird"' EXIT
	mkdir -p "$ird"/{bin,dev,proc,sys,mnt,newroot,m}
	cp "$BB" "$ird/bin/busybox"
	cp "$HERE/init" "$ird/init"
	chmod 0755 "$ird/init"
	# Modules in load order (deps first); built-ins are skipped.
	mods="virtio_pci 9pnet_virtio 9p overlay pvpanic-pci"
	: >"$ird/m/order"
	for m in $mods; do
		modprobe -d "$OUT/root" -S "$KVER" --show-depends "$m" ||
			die "cannot resolve module $m in $OUT/root"
	done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r path; do
		name=$(basename "$path")
		case "$name" in
		*.ko.xz) xz -dc "$path" >"$ird/m/${name%.xz}"; name=${name%.xz} ;;
		*.ko.zst) zstd -qdc "$path" >"$ird/m/${name%.zst}"; name=${name%.zst} ;;
		*.ko.gz) gzip -dc "$path" >"$ird/m/${name%.gz}"; name=${name%.gz} ;;
		*) cp "$path" "$ird/m/$name" ;;
		esac
		echo "$name" >>"$ird/m/order"
	done
	# The disk of vm.sh -R (root overlay's upper layer), loaded only then;
	# what a kernel has built in or lacks is left out.
	: >"$ird/m/order-disk"
	for m in virtio_blk crc32c_generic ext4; do
		modprobe -d "$OUT/root" -S "$KVER" --show-depends "$m" 2>/dev/null || true
	done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r path; do
		name=$(basename "$path")
		name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
		if [ ! -e "$ird/m/$name" ]; then
			case "$path" in
			*.ko.xz) xz -dc "$path" >"$ird/m/$name" ;;
			*.ko.zst) zstd -qdc "$path" >"$ird/m/$name" ;;
			*.ko.gz) gzip -dc "$path" >"$ird/m/$name" ;;
			*) cp "$path" "$ird/m/$name" ;;
			esac
		fi
		grep -qx "$name" "$ird/m/order" || echo "$name" >>"$ird/m/order-disk"
	done
	(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initrd.gz.tmp"
	mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
	rm -rf "$ird"
	trap - EXIT
fi
