#!/bin/sh
# Usage: gen_ksyms.sh ARCH ELF > ksyms.S
# Write an assembly file holding ELF's function symbols sorted by address
# (struct ksym in kernel/ksyms.c) and their names.  ELF may be /dev/null:
# the result is then an empty table, for the kernel's first link.
arch=$1
elf=$2
if [ "$arch" = x86_64 ]; then
	word=.quad; pad=".long 0"
else
	word=.long; pad=""
fi
{ [ -s "$elf" ] && nm -n --defined-only "$elf"; } | awk -v word="$word" -v pad="$pad" '
BEGIN { n = 0 }
$2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.globl ksyms_count, ksyms_table, ksyms_names"
	print "\t.p2align 3"
	print "ksyms_count:\n\t.long " n + 0 "\n\t.long 0"
	print "ksyms_table:"
	off = 0
	for (i = 0; i < n; i++) {
		printf "\t%s 0x%s\n\t.long %d\n", word, addr[i], off
		if (pad != "")
			print "\t" pad
		off += length(name[i]) + 1
	}
	print "ksyms_names:"
	for (i = 0; i < n; i++)
		printf "\t.asciz \"%s\"\n", name[i]
}'
