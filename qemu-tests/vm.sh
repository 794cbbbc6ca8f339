#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's stock kernel under QEMU with the host root (read-only 9p +
# tmpfs overlay), load khsm.ko and run a command as root in the caller's cwd.
#
#   qemu-tests/vm.sh [-k KVER] [-m khsm.ko] [-n] [-p] [-t SECS] [-K] -- <command...>
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
while getopts "k:m:npt:Kh" opt; do
	case $opt in
	k) KVER=$OPTARG ;;
	m) MOD=$OPTARG ;;
	n) NOMOD=1 ;;
	p) PERF=1 ;;
	t) TMO=$OPTARG ;;
	K) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || usage
CMD="$*"
[ -n "$KVER" ] || KVER=$("$REPO/.ci/kernel" default)
[ -n "$MOD" ] || MOD=$REPO/kmod/khsm.ko

die() { echo "khsm-vm: $*" >&2; exit 2; }

if [ -e "$MOD" ]; then
	MOD=$(realpath "$MOD")
elif [ $NOMOD = 0 ]; then
	die "module $MOD not found: build it (make) or pass -m FILE, or -n to boot without it"
else
	MOD=
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
cp -al "$OUT/root/lib/modules/$KVER" "$RUN/lib/modules/$KVER"
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
depmod -b "$RUN" "$KVER" || die "depmod -b $RUN $KVER failed"

{
	printf 'khsm_cwd=%q\n' "$PWD"
	printf 'khsm_nomod=%q\n' "$NOMOD"
	printf 'khsm_timeout=%q\n' "$TMO"
	printf 'khsm_kver=%q\n' "$KVER"
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
# KFENCE (built in, off by default, on Debian's 6.12) catches out-of-bounds
# and use-after-free reads, which slub_debug does not; sample every 10 ms.
if grep -qx 'CONFIG_KFENCE=y' "$OUT/root/boot/config-$KVER" 2>/dev/null; then
	APPEND="$APPEND kfence.sample_interval=10"
fi

set +e
timeout -k 10 $((TMO + 180)) qemu-system-x86_64 \
	-machine q35 -cpu max -smp 2 -m 1024 "${ACCEL[@]}" \
	-nodefaults -display none -no-reboot \
	-device pvpanic-pci -action panic=exit-failure \
	-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz" -append "$APPEND" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-chardev stdio,id=con0,signal=off -serial chardev:con0 \
	-chardev file,id=ver0,path="$RUN/verdict" -serial chardev:ver0 \
	</dev/null 2>"$RUN/qemu.err" | tr -d '\r' | tee "$RUN/console.log"
qrc=${PIPESTATUS[0]}
set -e

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
pat='BUG |BUG:|WARNING:|Call Trace|Poison overwritten|Redzone|refcount_t|Oops|Kernel panic'
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
