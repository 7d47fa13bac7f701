# Minnow: build, run, debug and test a small x86 teaching kernel.
#
#   make                 build both kernels (build/i386, build/x86_64)
#   make run             boot ARCH in QEMU, COM1 on this terminal; ends when
#                        the kernel stops (exit 0) or reports a failure (1)
#   make gdb             boot ARCH halted, attach gdb, stop at kmain
#   make test            build, then boot the whole test matrix
#   make stress          the sf_buf stress test, a million operations
#   make bench           benchmarks (guest instructions per operation)
#   make iso             GRUB ISOs build/ARCH/minnow.iso (CMDLINE baked in)
#   make tools           install the host tools now (each target checks its own)
#   make help            this text
#   Also: check-images, host-test, runner-test, clean; qemu and qemu-nox are
#   aliases of run, qemu-gdb of gdb.
#
# Variables (make VAR=value):
#   ARCH=i386|x86_64     the kernel run and gdb boot (default x86_64)
#   CPUS=1  MEM=128M     QEMU -smp and -m
#   CMDLINE="..."        kernel command line, e.g. CMDLINE=ktest=lib
#   BOOT=kernel|iso      QEMU loads the ELF (default), or GRUB boots the ISO
#   ACCEL=tcg|kvm        QEMU accelerator (default tcg)
#   QEMUEXTRA="..."      more QEMU arguments
#   GDBPORT=1234         port of QEMU's gdb stub (make gdb)
#   CFLAGS="-O2 -g"      optimisation and debug flags (command line only)
#   EXTRA_CFLAGS="..."   added last to every compile, e.g. -DNO_KASSERT
#   TESTFLAGS="..."      tests/run.py options: --only 'i386-*' --ktest lib -v
#   BENCHFLAGS="..."     tests/bench.py options: --no-boot-sweep --arch i386
#   B=build              build directory;  V=1 shows every command
#   JOBS=N               jobs at once (default: every core; JOBS=1 for one)
#
# A change to any of these flags, or to a source list, rebuilds what
# depends on it: BUILD/ARCH/cflags and ldflags record what was used.

ARCHS		:= i386 x86_64
ARCH		?= x86_64
CPUS		?= 1
MEM		?= 128M
ACCEL		?= tcg
BOOT		?= kernel
CMDLINE		?=
QEMUEXTRA	?=
GDBPORT		?= 1234
B		:= build

ifeq ($(filter $(ARCH),$(ARCHS)),)
$(error ARCH=$(ARCH) is not valid: use ARCH=i386 or ARCH=x86_64)
endif
ifeq ($(filter $(ACCEL),tcg kvm),)
$(error ACCEL=$(ACCEL) is not valid: use ACCEL=tcg (default) or ACCEL=kvm)
endif
ifeq ($(filter $(BOOT),kernel iso),)
$(error BOOT=$(BOOT) is not valid: use BOOT=kernel (qemu -kernel) or BOOT=iso (GRUB))
endif

ifneq ($(V),1)
Q		:= @
endif

# Jobs run side by side on every core (the two kernels, the ISOs, the host
# tests): `make test` takes a fifth less time on two cores.  JOBS=1 runs
# one at a time.  (Only the top-level make: a recursive one, as `make
# bench` runs, shares its parent's job slots.)
JOBS		?= $(shell nproc 2>/dev/null || echo 1)
ifeq ($(MAKELEVEL),0)
MAKEFLAGS	+= -j$(JOBS)
endif

CC		:= gcc
LD		:= ld
PYTHON		:= python3
TOOLS		:= sh tests/tools.sh

# $(call shquote,TEXT): TEXT as one single-quoted shell word.
shquote		= '$(subst ','\'',$(1))'

# ---------------------------------------------------------------- sources
# Suites run in the order their objects are linked: keep TEST_SRCS ordered
# from the bottom of the kernel up.  Every .c file in tests/ must be named
# in TEST_SRCS or BENCH_SRCS (checked below).
TEST_SRCS	:= tests/lib_test.c tests/lib_list_test.c tests/boot_test.c \
		   tests/ktest_test.c \
		   tests/trap_test.c tests/vm_page_test.c \
		   tests/vm_page_misuse_test.c tests/vm_page_cache_test.c \
		   tests/vm_snap.c \
		   tests/pmap_test.c tests/kva_test.c tests/malloc_test.c \
		   tests/smp_test.c tests/sched_test.c tests/sleep_test.c \
		   tests/tlb_test.c tests/quickmap_test.c tests/sf_buf_test.c \
		   tests/sf_buf_smp_test.c tests/sf_buf_stress_test.c \
		   tests/stack_test.c tests/witness_test.c \
		   tests/pbuf_test.c tests/pbuf_stress_test.c \
		   tests/md_test.c tests/md_smp_test.c \
		   tests/ubc_test.c tests/ubc_md_test.c tests/ubc_misuse_test.c \
		   tests/ubc_tpager.c
BENCH_SRCS	:= tests/mm_bench.c tests/smp_bench.c tests/pbuf_bench.c \
		   tests/md_bench.c tests/ubc_bench.c tests/sf_buf_bench.c
MI_SRCS		:= $(wildcard lib/*.c kernel/*.c mm/*.c)
MD_SRCS		= $(wildcard boot/*.S boot/$(1)/*.S \
		    kernel/x86/*.c kernel/$(1)/*.c kernel/$(1)/*.S \
		    mm/x86/*.c mm/$(1)/*.c)
SRCS		= $(call MD_SRCS,$(1)) $(MI_SRCS) $(TEST_SRCS) $(BENCH_SRCS)
OBJS		= $(patsubst %,$(B)/$(1)/%.o,$(basename $(call SRCS,$(1))))

# A test file that no list names would silently never run; a listed file
# that is gone would fail later with a vaguer message.  (Not for clean and
# help, which must work whatever state tests/ is in.)
ifneq ($(filter-out clean help,$(or $(MAKECMDGOALS),all)),)
UNLISTED	:= $(filter-out $(TEST_SRCS) $(BENCH_SRCS),$(wildcard tests/*.c))
ifneq ($(UNLISTED),)
$(error $(UNLISTED): not in TEST_SRCS or BENCH_SRCS; add each test file to TEST_SRCS in the Makefile (suites run in that order), each benchmark to BENCH_SRCS)
endif
VANISHED	:= $(filter-out $(wildcard $(TEST_SRCS) $(BENCH_SRCS)),$(TEST_SRCS) $(BENCH_SRCS))
ifneq ($(VANISHED),)
$(error $(VANISHED): named in TEST_SRCS or BENCH_SRCS but not found)
endif
endif

# ---------------------------------------------------------------- flags
# CFLAGS holds the flags a user may change; KERNEL_CFLAGS those a kernel
# needs.  CFLAGS from the environment is ignored (as Linux's kbuild does):
# CI images set it for user programs, e.g. -fstack-protector-strong.
CFLAGS		?= -O2 -g
ifeq ($(origin CFLAGS),environment)
CFLAGS		:= -O2 -g
endif
KERNEL_CFLAGS	:= -std=c11 -ffreestanding -nostdinc \
		   -fno-pie -fno-pic -fno-stack-protector -fno-strict-aliasing \
		   -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
		   -fno-asynchronous-unwind-tables -fno-common \
		   -mno-sse -mno-sse2 -mno-mmx -mno-3dnow -mgeneral-regs-only \
		   -Wall -Wextra -Werror -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter \
		   -I. -Ikernel -MMD -MP
CFLAGS_i386	:= -m32 -march=i686 -Ikernel/i386
CFLAGS_x86_64	:= -m64 -mcmodel=kernel -mno-red-zone -Ikernel/x86_64
LDFLAGS_COMMON	:= -nostdlib --build-id=none -z noexecstack \
		   -z max-page-size=0x1000 --no-warn-rwx-segments
LDFLAGS_i386	:= -m elf_i386
LDFLAGS_x86_64	:= -m elf_x86_64

# Paths inside the compiler's installation are asked of the compiler when
# a recipe runs, never while make reads this file: on a fresh machine
# tools-build installs gcc-multilib first, and only after that does
# "gcc -m32 -print-libgcc-file-name" name the 32-bit libgcc.  (Hence the
# $$: the shell expands these, not make.)
GCCINC		= $$($(CC) -print-file-name=include)
# i386 needs libgcc for 64-bit division (__udivdi3 and friends).
LIBGCC_i386	= $$($(CC) -m32 -print-libgcc-file-name)
LIBGCC_x86_64	:=
ALL_CFLAGS_i386	= $(CFLAGS) $(KERNEL_CFLAGS) -isystem $(GCCINC) \
		  $(CFLAGS_i386) $(EXTRA_CFLAGS)
ALL_CFLAGS_x86_64 = $(CFLAGS) $(KERNEL_CFLAGS) -isystem $(GCCINC) \
		  $(CFLAGS_x86_64) $(EXTRA_CFLAGS)
# $(call LINK_WORDS,ARCH): what the link of ARCH depends on besides files.
LINK_WORDS	= $(LD) $(LDFLAGS_COMMON) $(LDFLAGS_$(1)) $(call OBJS,$(1)) \
		  $(LIBGCC_$(1))

# ---------------------------------------------------------------- flags files
# Make rebuilds by time stamps alone, so a new flag or a file dropped from a
# list would go unnoticed.  As Linux's kbuild records each command line,
# each build directory records its lists in files that are rewritten only
# when their text changes: BUILD/ARCH/cflags (compiler and flags; every
# object depends on it), BUILD/ARCH/ldflags (linker, flags, object list,
# libgcc; the kernel depends on it), BUILD/ARCH/iso*.cmdline (the command
# line baked into an ISO).  Their rules always run, and a file whose text
# did not change keeps its time stamp, so nothing is rebuilt for nothing.
#
# $(call flags_file,WORDS): a recipe writing WORDS, one shell word a line,
# to $@ if that changes it.
define flags_file
	@mkdir -p $(@D)
	@printf '%s\n' $(1) >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else \
	    $(if $(Q),[ ! -f $@ ] || echo "  FLAGS $@ changed";) \
	    mv -f $@.tmp $@; fi
endef

.PHONY: all kernels run iso test bench stress gdb qemu qemu-nox qemu-gdb clean \
	help tools tools-build tools-run tools-iso tools-gdb check-images \
	host-test runner-test FORCE
.DEFAULT_GOAL	:= all

all: kernels

# A prerequisite that is never up to date: its targets' recipes always run.
FORCE:

KERNELS		:= $(foreach a,$(ARCHS),$(B)/$(a)/minnow.elf)
kernels: $(KERNELS)

# ---------------------------------------------------------------- compile
# In these rules $$(VAR) is expanded when the recipe runs (see GCCINC).
define ARCH_RULES
$(B)/$(1)/cflags: FORCE | tools-build
	$$(call flags_file,$(CC) $$(ALL_CFLAGS_$(1)))

$(B)/$(1)/ldflags: FORCE | tools-build
	$$(call flags_file,$$(call LINK_WORDS,$(1)))

$(B)/$(1)/%.o: %.c $(B)/$(1)/cflags | tools-build
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC    $(1)/$$<")
	$(Q)$(CC) $$(ALL_CFLAGS_$(1)) -c $$< -o $$@

$(B)/$(1)/%.o: %.S $(B)/$(1)/cflags | tools-build
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  AS    $(1)/$$<")
	$(Q)$(CC) $$(ALL_CFLAGS_$(1)) -D__ASSEMBLY__ -c $$< -o $$@

$(B)/$(1)/linker.ld: linker.ld $(B)/$(1)/cflags | tools-build
	@mkdir -p $$(@D)
	$(Q)$(CC) -E -P -x c -undef -D__$(1)__ $$< -o $$@

# Two links: the first has an empty symbol table, the second the table of
# the first.  The table sits last in .rodata, so no function moves between
# the two; the final cmp proves it.
$(B)/$(1)/minnow.elf: $(call OBJS,$(1)) $(B)/$(1)/linker.ld \
    $(B)/$(1)/ldflags kernel/gen_ksyms.sh
	@$(if $(Q),echo "  LD    $$@")
	$(Q)sh kernel/gen_ksyms.sh $(1) /dev/null > $(B)/$(1)/ksyms0.S
	$(Q)$(CC) $(CFLAGS_$(1)) -fno-pic -c $(B)/$(1)/ksyms0.S -o $(B)/$(1)/ksyms0.o
	$(Q)$(LD) $(LDFLAGS_COMMON) $(LDFLAGS_$(1)) -T $(B)/$(1)/linker.ld \
	    -o $$@.pass1 $(call OBJS,$(1)) $(B)/$(1)/ksyms0.o $$(LIBGCC_$(1))
	$(Q)sh kernel/gen_ksyms.sh $(1) $$@.pass1 > $(B)/$(1)/ksyms.S
	$(Q)$(CC) $(CFLAGS_$(1)) -fno-pic -c $(B)/$(1)/ksyms.S -o $(B)/$(1)/ksyms.o
	$(Q)$(LD) $(LDFLAGS_COMMON) $(LDFLAGS_$(1)) -T $(B)/$(1)/linker.ld \
	    -o $$@ $(call OBJS,$(1)) $(B)/$(1)/ksyms.o $$(LIBGCC_$(1))
	$(Q)sh kernel/gen_ksyms.sh $(1) $$@ | cmp -s - $(B)/$(1)/ksyms.S || \
	    { echo "ksyms: symbol table moved between links" >&2; exit 1; }
	$(Q)sh boot/check-image.sh $$@

-include $(patsubst %.o,%.d,$(call OBJS,$(1)))
endef
$(foreach a,$(ARCHS),$(eval $(call ARCH_RULES,$(a))))

# ---------------------------------------------------------------- GRUB ISOs
# minnow.iso boots with CMDLINE; minnow-test.iso runs the self-tests.
# $(call sed_repl,TEXT): TEXT safe as the replacement of a s|||g command.
sed_repl	= $(subst |,\|,$(subst &,\&,$(subst \,\\,$(1))))
define ISO_RULES
$(B)/$(1)/iso$(2).cmdline: FORCE
	$$(call flags_file,$(call shquote,$(3)))

$(B)/$(1)/minnow$(2).iso: $(B)/$(1)/minnow.elf boot/grub.cfg.in \
    $(B)/$(1)/iso$(2).cmdline | tools-iso
	@$(if $(Q),echo "  ISO   $$@")
	$(Q)rm -rf $(B)/$(1)/iso$(2) && mkdir -p $(B)/$(1)/iso$(2)/boot/grub
	$(Q)cp $(B)/$(1)/minnow.elf $(B)/$(1)/iso$(2)/boot/minnow.elf
	$(Q)sed -e 's|@ARCH@|$(1)|g' \
	    -e $(call shquote,s|@CMDLINE@|$(call sed_repl,$(3))|g) \
	    boot/grub.cfg.in > $(B)/$(1)/iso$(2)/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $$@ $(B)/$(1)/iso$(2) >$(B)/$(1)/iso$(2).log 2>&1 || \
	    { cat $(B)/$(1)/iso$(2).log >&2; exit 1; }
endef
$(foreach a,$(ARCHS),$(eval $(call ISO_RULES,$(a),,$(CMDLINE))))
$(foreach a,$(ARCHS),$(eval $(call ISO_RULES,$(a),-test,ktest)))

ISOS		:= $(foreach a,$(ARCHS),$(B)/$(a)/minnow.iso)
TEST_ISOS	:= $(foreach a,$(ARCHS),$(B)/$(a)/minnow-test.iso)
iso: $(ISOS)

# Every image must be loadable by both multiboot protocols.
check-images: $(KERNELS) | tools-iso
	$(Q)for k in $(KERNELS); do \
	    grub-file --is-x86-multiboot $$k || { echo "$$k: not multiboot 1" >&2; exit 1; }; \
	    grub-file --is-x86-multiboot2 $$k || { echo "$$k: not multiboot 2" >&2; exit 1; }; \
	done; echo "  CHECK images are multiboot 1 and multiboot 2"

# ---------------------------------------------------------------- QEMU
# tests/qemu.py builds every QEMU command line: run, gdb, the test runner
# and the benchmarks all boot through it.  It prints the command it runs.
QEMUPY		= $(PYTHON) tests/qemu.py --arch $(ARCH) --boot $(BOOT) \
		  --cpus $(CPUS) --mem $(MEM) --accel $(ACCEL) --build-dir $(B) \
		  --extra $(call shquote,$(QEMUEXTRA))
ifeq ($(BOOT),iso)
RUNDEPS		= $(B)/$(ARCH)/minnow.iso $(B)/$(ARCH)/minnow.elf
else
QEMUPY		+= --cmdline $(call shquote,$(CMDLINE))
RUNDEPS		= $(B)/$(ARCH)/minnow.elf
endif

# Ends with QEMU: 0 when the kernel finished well (QEMU exit 33) or QEMU
# was quit with Ctrl-A X, 1 when the kernel reported a failure (35).
run qemu qemu-nox: $(RUNDEPS) | tools-run
	$(Q)$(QEMUPY) run

# QEMU halted with a gdb stub, then gdb with the symbols, stopped at kmain.
# Without a terminal on stdin (CI), gdb runs to kmain, prints the backtrace
# and quits.
gdb qemu-gdb: $(RUNDEPS) | tools-run tools-gdb
	$(Q)$(QEMUPY) gdb --gdb-port $(GDBPORT)

# ---------------------------------------------------------------- tests
test: $(KERNELS) $(TEST_ISOS) check-images host-test runner-test | tools-run
	$(Q)$(PYTHON) tests/run.py --build-dir $(B) $(TESTFLAGS)

# Unit tests of the runner (KTAP parsing, the matrix, verdicts, the CLI
# with a fake QEMU) and of the QEMU command-line builder, no QEMU needed.
# tests/host/runner_samples.py holds their shared sample logs.
RUNNER_TESTS	:= tests/host/test_ktap.py tests/host/test_matrix.py \
		   tests/host/test_run.py tests/host/test_qemu.py
runner-test: | tools-run
	@echo "  HOST   $(RUNNER_TESTS)"
	@mkdir -p $(B)
	$(Q)$(PYTHON) -m unittest -q $(RUNNER_TESTS) >$(B)/runner-test.log 2>&1 \
	    || { cat $(B)/runner-test.log; exit 1; }

# Benchmarks: guest instructions per operation under -icount shift=0,
# and the boot cost against RAM size.
# The same kernels built with -DNO_KASSERT (as FreeBSD's GENERIC-NODEBUG)
# show what the invariant checks cost.
bench: $(KERNELS) | tools-run
	$(Q)$(MAKE) --no-print-directory B=$(B)/nodebug \
	    EXTRA_CFLAGS=$(call shquote,$(EXTRA_CFLAGS) -DNO_KASSERT) kernels
	$(Q)$(PYTHON) tests/bench.py --build-dir $(B) --nodebug-dir $(B)/nodebug $(BENCHFLAGS)

# The sf_buf stress test at length: STRESS_OPS operations over 4 CPUs on
# i386 at 3 GiB and on x86_64 with sfbuf=map; prints operations and
# mismatches (tests/stress.py).  Minutes under TCG, so not in `make test`.
STRESS_OPS	?= 1000000
stress: $(KERNELS) | tools-run
	$(Q)$(PYTHON) tests/stress.py --build-dir $(B) --ops $(STRESS_OPS)

include tests/host/host.mk

# ---------------------------------------------------------------- set-up
# Check for the tools each job needs (not a stamp file): install what is
# missing with apt-get when root, or say exactly what to install.
tools-build:
	$(Q)$(TOOLS) build
tools-run:
	$(Q)$(TOOLS) run
tools-iso:
	$(Q)$(TOOLS) iso
tools-gdb:
	$(Q)$(TOOLS) gdb
tools:
	$(Q)$(TOOLS) build run iso gdb

clean:
	rm -rf $(B)

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'
	@echo "Examples:"
	@echo "  make run ARCH=i386 CPUS=4 CMDLINE=ktest=sched"
	@echo "  make test TESTFLAGS=\"--only 'x86_64-1cpu-*' --ktest lib\""
	@echo "  make bench BENCHFLAGS=--no-boot-sweep"
