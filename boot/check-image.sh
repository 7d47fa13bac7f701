#!/bin/sh
# Usage: check-image.sh KERNEL.elf
# The multiboot 1 a.out kludge makes the loader copy the file from the
# header onwards to load_addr, byte for byte.  That is only right if every
# loadable segment's file offset minus its physical address is the same
# constant; a linker change that breaks it would boot into garbage, so
# the build checks it here.  The first header must also sit in the first
# 8 KiB of the file.
elf=$1
delta=""
first_off=""
for seg in $(readelf -lW "$elf" | awk '$1 == "LOAD" && $5 != "0x000000" { print $2 ":" $4 }'); do
	off=${seg%%:*}
	pa=${seg##*:}
	d=$((off - pa))
	[ -z "$first_off" ] && first_off=$((off))
	if [ -z "$delta" ]; then
		delta=$d
	elif [ "$d" != "$delta" ]; then
		echo "$elf: segments are not contiguous in the file; the multiboot a.out kludge would load them wrongly" >&2
		exit 1
	fi
done
if [ -z "$delta" ]; then
	echo "$elf: no loadable segments" >&2
	exit 1
fi
if [ "$first_off" -gt 8128 ]; then
	echo "$elf: multiboot header beyond the first 8 KiB" >&2
	exit 1
fi
