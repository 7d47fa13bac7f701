#!/bin/sh
# `make stress`: the sf_buf stress test at length (tests/sf_buf_stress_test.c),
# OPS operations over 4 CPUs, on i386 at 3 GiB (no direct map: the pool)
# and on x86_64 booted with sfbuf=map quickmap=slot.  Prints each run's
# operation count and mismatches; fails if a run fails or mismatches.
#
# usage: sh tests/stress.sh BUILD_DIR OPS [TIMEOUT_SECONDS]
B=${1:-build}
OPS=${2:-1000000}
TIMEOUT=${3:-3600}
status=0
for cfg in "i386 3G" "x86_64 1G sfbuf=map quickmap=slot"; do
	set -- $cfg
	arch=$1 mem=$2
	shift 2
	log=$B/test/stress-$arch.log
	mkdir -p "$B/test"
	echo "stress: $arch, 4 CPUs, -m $mem, $OPS operations $*"
	timeout "$TIMEOUT" qemu-system-$arch -accel tcg -cpu max -smp 4 \
	    -m "$mem" -no-reboot -display none -monitor none \
	    -serial "file:$log" \
	    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	    -kernel "$B/$arch/minnow.elf" \
	    -append "ktest=sf_buf.stress sfstress=$OPS ncpus=4 $*"
	rc=$?
	grep -a "sf_buf stress" "$log" | sed 's/^/  /'
	if [ $rc -ne 33 ]; then
		echo "  FAIL: QEMU exited $rc (33 is a pass); log: $log"
		status=1
	elif grep -aq "mismatches" "$log" &&
	    ! grep -a "sf_buf stress" "$log" | grep -vq " 0 mismatches"; then
		echo "  PASS"
	else
		echo "  FAIL: mismatches; log: $log"
		status=1
	fi
done
exit $status
