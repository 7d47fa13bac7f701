#!/bin/sh
# Check that the host tools a make target needs are installed; when one is
# missing, install its Debian package with apt-get if we are root, or print
# the exact command to run.  Usage: tests/tools.sh build|run|iso|gdb ...
#
# The check looks for the tools themselves, never for a stamp file, so a
# machine that lost a package is noticed.
#
# make runs jobs in parallel, so two checks may start at once: the second
# waits for the first (flock), then finds what it installed, rather than
# meeting apt-get's own lock and failing.

if command -v flock >/dev/null 2>&1; then
	exec 9>"${TMPDIR:-/tmp}/minnow-tools.lock" 2>/dev/null &&
	    flock 9
fi
missing=""

need_cmd() {	# need_cmd COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}

need_file() {	# need_file PATH PACKAGE
	[ -e "$1" ] || missing="$missing $2"
}

for job in "$@"; do
	case $job in
	build)
		need_cmd gcc gcc
		need_cmd ld binutils
		need_cmd make make
		# gcc -m32 prints a bare name when the 32-bit libgcc is absent.
		need_file "$(gcc -m32 -print-libgcc-file-name 2>/dev/null)" gcc-multilib
		need_file /usr/include/x86_64-linux-gnu/gnu/stubs-32.h gcc-multilib
		;;
	run)
		need_cmd qemu-system-x86_64 qemu-system-x86
		need_cmd qemu-system-i386 qemu-system-x86
		need_cmd python3 python3
		;;
	iso)
		need_cmd grub-mkrescue grub-common
		need_cmd grub-file grub-common
		need_file /usr/lib/grub/i386-pc/multiboot2.mod grub-pc-bin
		need_cmd xorriso xorriso
		need_cmd mformat mtools
		;;
	gdb)
		need_cmd gdb gdb
		;;
	*)
		echo "tests/tools.sh: unknown job '$job' (build, run, iso, gdb)" >&2
		exit 2
		;;
	esac
done

[ -z "$missing" ] && exit 0
pkgs=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" != 0 ]; then
	echo "Missing host tools. Install them with:" >&2
	echo "  sudo apt-get install -y $pkgs" >&2
	exit 1
fi
echo "Installing missing host tools: $pkgs"
export DEBIAN_FRONTEND=noninteractive
# apt's chatter (debconf notes, warnings) is shown only if it fails.
log=$(mktemp "${TMPDIR:-/tmp}/minnow-apt.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT

update() {
	apt-get update -qq >"$log" 2>&1 && return 0
	cat "$log" >&2
	echo "apt-get update failed" >&2
	exit 1
}

install() {
	apt-get install -y -qq --no-install-recommends $pkgs >"$log" 2>&1
}

# Fresh machines have no package lists: fetch them first.  Lists fetched
# by an earlier job (make run installs the compiler's then QEMU's
# packages) are used as they are, and fetched anew only if they are too
# old to install from.
ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || update
install || { update; install; } || {
	cat "$log" >&2
	echo "apt-get install $pkgs failed" >&2
	exit 1
}
