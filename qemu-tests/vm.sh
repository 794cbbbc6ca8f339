#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's stock kernel under QEMU with the host root (read-only 9p +
# tmpfs overlay), load khsm.ko and run a command as root in the caller's cwd.
#
#   qemu-tests/vm.sh [-k KVER] [-m khsm.ko] [-n] [-p] [-t SECS] [-K]
#                    [-d DISK [-D DIR | -R]] [-c MIN_MS:MAX_MS] [-F] -- <command...>
#
#   -k KVER   kernel version (default: $KVER, else .ci/kernel's default, 6.1)
#   -m FILE   module to install as extra/khsm.ko (default: <repo>/kmod/khsm.ko)
#   -n        do not load khsm before the command (it is still installed if
#             the file exists, so the command may modprobe it itself)
#   -p        performance run (make bench): no debug allocator (slub_debug,
#             init_on_free, page_poison), which taxes every kernel allocation
#             and so khsm but not a userspace token
#   -t SECS   timeout for the command inside the VM (default 900)
#   -K        keep the per-run directory (console log, verdict) for debugging
#   -F        fast boot: skip loading the CPU crypto driver modules (3 s of
#             a TCG boot; khsm then uses the generic AES of the kernel):
#             for the many boots of the power-cut loop
#   -d DISK   attach the raw ext4 image DISK (qemu-tests/vm/mkdisk makes one)
#             as a virtio-blk disk; the guest checks it (e2fsck -p), mounts
#             it on /mnt/khsm-disk and bind-mounts its directory state/
#             (root:hsm 2770) on DIR; the command gets KHSM_DISK=/mnt/khsm-disk.
#             The image outlives the run, so several boots can share it.
#   -D DIR    where the guest sees the disk's state/ (default /var/lib/khsm,
#             libhsm's default state directory)
#   -R        persistent root (with -d; qemu-tests/pkg): the disk holds the
#             root overlay's upper layer (root/upper, root/work) instead of a
#             state/ directory, so whatever the command installs or writes
#             anywhere (dpkg's database, /etc, /var/lib/khsm) is there at the
#             next boot with the same image. /lib/modules/K of every kernel
#             prepared under build/vm/ (the one booted and any other) is an
#             overlay too: the unpacked image's modules and the host's
#             /lib/modules/K (the headers' build link) below, the disk's
#             modules/K/{upper,work} on top, writable and persistent (DKMS
#             installs there). No khsm.ko of the tree is installed and none
#             is loaded (implies -n; -m is refused), and the guest creates
#             neither group hsm nor hsmuser (the command does, or the
#             packages it installs). No e2fsck at mount (stage 1 is busybox):
#             for clean shutdowns only, no power cuts.
#   -c MIN_MS:MAX_MS  power cut: once the command writes "armed" to the
#             verdict port (qemu-tests/vm/khsm-arm-cut), SIGKILL QEMU after
#             a random delay in [MIN_MS, MAX_MS] (no shutdown, no sync: for
#             the guest a power cut). The run then passes if the cut came and
#             the console shows no kernel problem; the guest's own verdict
#             (rc, taint, rmmod) does not exist. Exit 3 if the guest powered
#             off before the cut. The delay used is in $KHSM_CUT_LOG (if set),
#             one line "cut-ms: N".
#
# The disk is -drive cache=writeback with flushes honoured: QEMU writes into
# the host's page cache and fdatasync()s the image on every guest flush/FUA.
# Killing QEMU loses what the guest had not yet written (its page cache,
# requests not yet submitted), exactly as a power cut does; what QEMU had
# written survives in the host's cache, as on a disk without a volatile
# write cache (or with a power-loss-protected one). Reordering by a volatile
# disk cache is not modelled (dm-log-writes replay would).
#
# Exit status: the command's, or non-zero if the kernel misbehaved (oops,
# WARN, BUG, refcount/slab debug report, taint other than O/E, failed
# rmmod khsm, guest panic, timeout). The caller's KHSM_* environment
# variables are exported to the command. Inside the VM: user hsmuser in group hsm,
# /dev/hsmN root:hsm 0660, env KHSM_GID, KVER, KHSM_VM=1; the helper
# qemu-tests/vm/khsm-load [--reload] reloads the module.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VMDIR=$REPO/qemu-tests/vm

usage() {
	awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0" >&2
	exit 2
}

KVER=${KVER:-}
MOD=
NOMOD=0
PERF=0
TMO=900
KEEP=0
DISK=
DISKDIR=/var/lib/khsm
ROOTDISK=0
CUT=
FAST=0
while getopts "k:m:npt:Kd:D:Rc:Fh" opt; do
	case $opt in
	k) KVER=$OPTARG ;;
	m) MOD=$OPTARG ;;
	n) NOMOD=1 ;;
	p) PERF=1 ;;
	t) TMO=$OPTARG ;;
	K) KEEP=1 ;;
	d) DISK=$OPTARG ;;
	D) DISKDIR=$OPTARG ;;
	R) ROOTDISK=1 ;;
	c) CUT=$OPTARG ;;
	F) FAST=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || usage
CMD="$*"
[ -n "$KVER" ] || KVER=$("$REPO/.ci/kernel" default)

die() { echo "khsm-vm: $*" >&2; exit 2; }

if [ $ROOTDISK = 1 ]; then
	[ -n "$DISK" ] || die "-R needs -d DISK (the image that holds the root's upper layer)"
	[ -z "$MOD" ] || die "-R installs no khsm.ko of the tree: no -m"
	[ -z "$CUT" ] || die "-R is for clean shutdowns: no -c"
	NOMOD=1
	MOD=/nonexistent
fi
[ -n "$MOD" ] || MOD=$REPO/kmod/khsm.ko

if [ -e "$MOD" ]; then
	MOD=$(realpath "$MOD")
elif [ $NOMOD = 0 ]; then
	die "module $MOD not found: build it (make) or pass -m FILE, or -n to boot without it"
else
	MOD=
fi
if [ -n "$DISK" ]; then
	[ -f "$DISK" ] && [ -w "$DISK" ] || die "disk image $DISK missing or not writable (qemu-tests/vm/mkdisk makes one)"
	DISK=$(realpath "$DISK")
fi
cut_min="" cut_max=""
if [ -n "$CUT" ]; then
	[[ $CUT =~ ^([0-9]+):([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] ||
		die "-c wants MIN_MS:MAX_MS with MIN_MS <= MAX_MS, not '$CUT'"
	cut_min=${BASH_REMATCH[1]} cut_max=${BASH_REMATCH[2]}
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"

OUT=$REPO/build/vm/$KVER
mkdir -p "$OUT"
# Shared per-KVER preparation, serialised between concurrent runs.
(
	flock 9
	"$VMDIR/prep.sh" "$KVER" "$OUT"
) 9>"$OUT/.lock" || die "VM preparation for $KVER failed"

RUN=$(mktemp -d "$OUT/run.XXXXXX")
cleanup() {
	if [ $KEEP = 1 ]; then
		echo "khsm-vm: kept $RUN" >&2
	else
		rm -rf "$RUN"
	fi
}
trap cleanup EXIT
chmod 0755 "$RUN"

# Per-run modules tree: hard links to the shared one, plus our khsm.ko,
# depmod'ed here (depmod replaces its output files by rename, so the shared
# tree's index files are not modified through the links).
mkdir -p "$RUN/lib/modules"
if [ $ROOTDISK = 1 ]; then
	# -R: the guest's stage 1 mounts an overlay per kernel (see -R above)
	: >"$RUN/modtrees"
	for t in "$REPO"/build/vm/*/root/.unpacked; do
		[ -e "$t" ] || continue
		k=${t%/root/.unpacked}
		k=${k##*/}
		if [ -d "$REPO/build/vm/$k/root/lib/modules/$k" ]; then
			echo "$k $REPO/build/vm/$k/root/lib/modules/$k" >>"$RUN/modtrees"
		fi
	done
else
	cp -al "$OUT/root/lib/modules/$KVER" "$RUN/lib/modules/$KVER"
fi
if [ -n "$MOD" ]; then
	mkdir -p "$RUN/lib/modules/$KVER/extra"
	# Without its DWARF (5-6 MB of the 7 MB): the module is loaded before
	# every test, and the kernel copies the whole file each time. The
	# symbol table stays, so oops traces still name khsm's functions.
	strip --strip-debug -o "$RUN/lib/modules/$KVER/extra/khsm.ko" "$MOD" 2>/dev/null ||
		cp "$MOD" "$RUN/lib/modules/$KVER/extra/khsm.ko"
	modinfo -F vermagic "$MOD" 2>/dev/null | grep -q "^$KVER " ||
		echo "khsm-vm: warning: $MOD vermagic '$(modinfo -F vermagic "$MOD" 2>/dev/null)' does not match $KVER" >&2
fi
[ $ROOTDISK = 1 ] || depmod -b "$RUN" "$KVER" || die "depmod -b $RUN $KVER failed"

{
	printf 'khsm_cwd=%q\n' "$PWD"
	printf 'khsm_nomod=%q\n' "$NOMOD"
	printf 'khsm_timeout=%q\n' "$TMO"
	printf 'khsm_kver=%q\n' "$KVER"
	printf 'khsm_disk=%q\n' "$([ -n "$DISK" ] && [ $ROOTDISK = 0 ] && echo 1 || echo 0)"
	printf 'khsm_rootdisk=%q\n' "$ROOTDISK"
	printf 'khsm_disk_dir=%q\n' "$DISKDIR"
	printf 'khsm_fast=%q\n' "$FAST"
	# The caller's KHSM_* variables (test knobs) reach the command.
	while IFS= read -r v; do
		[ "$v" = KHSM_GID ] && continue
		printf 'export %s=%q\n' "$v" "${!v}"
	done < <(compgen -e | grep '^KHSM_' || true)
} >"$RUN/conf"
printf '%s\n' "$CMD" >"$RUN/cmd"
: >"$RUN/verdict"

ACCEL=(-accel tcg,thread=multi)
if [ -w /dev/kvm ] && grep -qE '^flags.*\b(vmx|svm)\b' /proc/cpuinfo; then
	ACCEL=(-accel kvm -accel tcg,thread=multi)
fi
APPEND="console=ttyS0 quiet panic=-1 oops=panic panic_on_warn=1"
[ $PERF = 1 ] ||
	APPEND="$APPEND slub_debug=FZPU slab_nomerge init_on_alloc=0 init_on_free=1 page_poison=1"
APPEND="$APPEND cryptomgr.panic_on_fail=1 khsm_run=$RUN khsm_stage2=$VMDIR/stage2.sh"
[ $ROOTDISK = 0 ] || APPEND="$APPEND khsm_rootdisk=1"
# KFENCE (built in, off by default, on Debian's 6.12) catches out-of-bounds
# and use-after-free reads, which slub_debug does not; sample every 10 ms.
if grep -qx 'CONFIG_KFENCE=y' "$OUT/root/boot/config-$KVER" 2>/dev/null; then
	APPEND="$APPEND kfence.sample_interval=10"
fi

DRIVE=()
if [ -n "$DISK" ]; then
	DRIVE=(-drive "file=$DISK,format=raw,if=none,id=khsmdisk,cache=writeback,aio=threads,discard=unmap"
	       -device virtio-blk-pci,drive=khsmdisk,serial=khsm-state)
fi

# Power cut: wait for "armed" on the verdict port, then SIGKILL QEMU.
cutter=
if [ -n "$CUT" ]; then
	(
		set +e
		while :; do
			grep -q '^armed' "$RUN/verdict" 2>/dev/null && break
			grep -q '^verdict-end' "$RUN/verdict" 2>/dev/null && exit 0
			sleep 0.05
		done
		ms=$((cut_min + (RANDOM * 32768 + RANDOM) % (cut_max - cut_min + 1)))
		sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
		pid=$(cat "$RUN/qemu.pid" 2>/dev/null)
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && echo "$ms" >"$RUN/cut"
	) &
	cutter=$!
fi

set +e
# (In braces with the shell's stderr discarded: a power cut SIGKILLs QEMU,
# and bash would report the killed pipeline on stderr.)
{ timeout -k 10 $((TMO + 180)) qemu-system-x86_64 \
	-machine q35 -cpu max -smp 2 -m 1024 "${ACCEL[@]}" \
	-nodefaults -display none -no-reboot \
	-device pvpanic-pci -action panic=exit-failure \
	-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz" -append "$APPEND" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-chardev stdio,id=con0,signal=off -serial chardev:con0 \
	-chardev file,id=ver0,path="$RUN/verdict" -serial chardev:ver0 \
	"${DRIVE[@]}" -pidfile "$RUN/qemu.pid" \
	</dev/null 2>"$RUN/qemu.err" | tr -d '\r' 2>&3 | tee "$RUN/console.log" 2>&3
qrc=${PIPESTATUS[0]}; } 3>&2 2>/dev/null
if [ -n "$cutter" ]; then
	kill "$cutter" 2>/dev/null
	wait "$cutter" 2>/dev/null
fi
set -e

pat='BUG |BUG:|WARNING:|Call Trace|Poison overwritten|Redzone|refcount_t|Oops|Kernel panic'
if [ -n "$CUT" ]; then
	if [ ! -e "$RUN/cut" ]; then
		echo "khsm-vm: FAILED: power cut planned but the guest powered off first (never armed, or the command ended); QEMU exit $qrc" >&2
		tail -n 40 "$RUN/console.log" | sed 's/^/  /' >&2
		exit 3
	fi
	ms=$(cat "$RUN/cut")
	[ -n "${KHSM_CUT_LOG:-}" ] && echo "cut-ms: $ms" >>"$KHSM_CUT_LOG"
	echo "khsm-vm: power cut: QEMU killed ${ms} ms after the guest armed it"
	if grep -Eq "$pat" "$RUN/console.log"; then
		echo "khsm-vm: FAILED: kernel problem on the console before the cut: $(grep -Eo "$pat" "$RUN/console.log" | sort -u | paste -sd, -)" >&2
		tail -n 60 "$RUN/console.log" | sed 's/^/  /' >&2
		exit 1
	fi
	exit 0
fi

rc=$(sed -n 's/^rc: //p' "$RUN/verdict" | tr -d '\r' | head -n1)
kernel=$(sed -n 's/^kernel: //p' "$RUN/verdict" | tr -d '\r' | head -n1)
bad=
if [ $qrc -ne 0 ]; then
	if [ $qrc = 124 ] || [ $qrc = 137 ]; then
		bad="VM timed out (no power-off within $((TMO + 180))s)"
	else
		bad="QEMU exited with $qrc (guest panic or QEMU error)"
	fi
elif [ -z "$rc" ] || [ -z "$kernel" ]; then
	bad="no verdict from the VM (init died?)"
elif [ "$kernel" != ok ]; then
	bad="kernel check: $kernel"
fi
if [ -z "$bad" ] && grep -Eq "$pat" "$RUN/console.log"; then
	bad="kernel problem on the console: $(grep -Eo "$pat" "$RUN/console.log" | sort -u | paste -sd, -)"
fi

if [ -n "$bad" ]; then
	echo "khsm-vm: FAILED: $bad" >&2
	if [ -s "$RUN/qemu.err" ]; then
		echo "khsm-vm: qemu stderr:" >&2
		sed 's/^/  /' "$RUN/qemu.err" >&2
	fi
	if grep -q '^dmesg-begin' "$RUN/verdict"; then
		echo "khsm-vm: kernel log lines from khsm and any oops:" >&2
		sed -n '/^dmesg-begin/,/^dmesg-end/p' "$RUN/verdict" | tr -d '\r' |
			awk -v pat="$pat" '$0 ~ pat { n = 40 }
				n > 0 || /khsm: |\[khsm\]/ { print "  " $0 }
				n > 0 { n-- }' >&2
	else
		echo "khsm-vm: last console lines:" >&2
		tail -n 60 "$RUN/console.log" | sed 's/^/  /' >&2
	fi
	[ -n "$rc" ] && [ "$rc" != 0 ] && exit "$rc"
	exit 1
fi
[ -s "$RUN/qemu.err" ] && grep -v -i 'kvm' "$RUN/qemu.err" >&2
exit "$rc"
