# Minnow: build, run, debug and test a small x86 teaching kernel.
#
#   make                 build both kernels (build/i386, build/x86_64)
#   make run             boot ARCH in QEMU, COM1 on this terminal
#   make test            build, then boot the whole test matrix
#   make stress          the sf_buf stress test, a million operations
#   make help            every target and variable
#
# Variables: ARCH=i386|x86_64 (default x86_64), CPUS=1, MEM=128M,
# CMDLINE="...", QEMUEXTRA="...", ACCEL=tcg|kvm, BOOT=kernel|iso,
# GDBPORT=1234, V=1 (show commands).

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

CC		:= gcc
LD		:= ld
GCCINC		:= $(shell $(CC) -print-file-name=include)
TOOLS		:= sh tests/tools.sh

# ---------------------------------------------------------------- sources
# Suites run in the order their objects are linked: keep TEST_SRCS ordered
# from the bottom of the kernel up.
TEST_SRCS	:= tests/lib_test.c tests/lib_list_test.c tests/boot_test.c \
		   tests/trap_test.c tests/vm_page_test.c \
		   tests/vm_page_misuse_test.c tests/vm_snap.c \
		   tests/pmap_test.c tests/kva_test.c tests/malloc_test.c \
		   tests/smp_test.c tests/sched_test.c tests/sleep_test.c \
		   tests/tlb_test.c tests/quickmap_test.c tests/sf_buf_test.c tests/sf_buf_smp_test.c \
		   tests/sf_buf_stress_test.c tests/stack_test.c tests/witness_test.c
BENCH_SRCS	:= tests/mm_bench.c tests/smp_bench.c tests/sf_buf_bench.c
MI_SRCS		:= $(wildcard lib/*.c kernel/*.c mm/*.c)
MD_SRCS		= $(wildcard boot/*.S boot/$(1)/*.S \
		    kernel/x86/*.c kernel/$(1)/*.c kernel/$(1)/*.S \
		    mm/x86/*.c mm/$(1)/*.c)
SRCS		= $(call MD_SRCS,$(1)) $(MI_SRCS) $(TEST_SRCS) $(BENCH_SRCS)
OBJS		= $(patsubst %,$(B)/$(1)/%.o,$(basename $(call SRCS,$(1))))

# ---------------------------------------------------------------- flags
CFLAGS_COMMON	:= -std=c11 -ffreestanding -nostdinc -isystem $(GCCINC) \
		   -fno-pie -fno-pic -fno-stack-protector -fno-strict-aliasing \
		   -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
		   -fno-asynchronous-unwind-tables -fno-common \
		   -mno-sse -mno-sse2 -mno-mmx -mno-3dnow -mgeneral-regs-only \
		   -O2 -g -Wall -Wextra -Werror -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter \
		   -I. -Ikernel -MMD -MP $(EXTRA_CFLAGS)
CFLAGS_i386	:= -m32 -march=i686 -Ikernel/i386
CFLAGS_x86_64	:= -m64 -mcmodel=kernel -mno-red-zone -Ikernel/x86_64
LDFLAGS_COMMON	:= -nostdlib --build-id=none -z noexecstack \
		   -z max-page-size=0x1000 --no-warn-rwx-segments
LDFLAGS_i386	:= -m elf_i386
LDFLAGS_x86_64	:= -m elf_x86_64
# i386 needs libgcc for 64-bit division (__udivdi3 and friends).
LIBGCC_i386	= $(shell $(CC) -m32 -print-libgcc-file-name)
LIBGCC_x86_64	:=

.PHONY: all kernels run iso test bench stress gdb qemu qemu-nox qemu-gdb clean \
	help tools check-images host-test runner-test
.DEFAULT_GOAL	:= all

all: kernels

KERNELS		:= $(foreach a,$(ARCHS),$(B)/$(a)/minnow.elf)
kernels: $(KERNELS)

# ---------------------------------------------------------------- compile
define ARCH_RULES
$(B)/$(1)/%.o: %.c | tools-build
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  CC    $(1)/$$<")
	$(Q)$(CC) $(CFLAGS_COMMON) $(CFLAGS_$(1)) -c $$< -o $$@

$(B)/$(1)/%.o: %.S | tools-build
	@mkdir -p $$(@D)
	@$(if $(Q),echo "  AS    $(1)/$$<")
	$(Q)$(CC) $(CFLAGS_COMMON) $(CFLAGS_$(1)) -D__ASSEMBLY__ -c $$< -o $$@

$(B)/$(1)/linker.ld: linker.ld
	@mkdir -p $$(@D)
	$(Q)$(CC) -E -P -x c -undef -D__$(1)__ $$< -o $$@

# Two links: the first has an empty symbol table, the second the table of
# the first.  The table sits last in .rodata, so no function moves between
# the two; the final cmp proves it.
$(B)/$(1)/minnow.elf: $(call OBJS,$(1)) $(B)/$(1)/linker.ld kernel/gen_ksyms.sh
	@$(if $(Q),echo "  LD    $$@")
	$(Q)sh kernel/gen_ksyms.sh $(1) /dev/null > $(B)/$(1)/ksyms0.S
	$(Q)$(CC) $(CFLAGS_$(1)) -fno-pic -c $(B)/$(1)/ksyms0.S -o $(B)/$(1)/ksyms0.o
	$(Q)$(LD) $(LDFLAGS_COMMON) $(LDFLAGS_$(1)) -T $(B)/$(1)/linker.ld \
	    -o $$@.pass1 $(call OBJS,$(1)) $(B)/$(1)/ksyms0.o $(LIBGCC_$(1))
	$(Q)sh kernel/gen_ksyms.sh $(1) $$@.pass1 > $(B)/$(1)/ksyms.S
	$(Q)$(CC) $(CFLAGS_$(1)) -fno-pic -c $(B)/$(1)/ksyms.S -o $(B)/$(1)/ksyms.o
	$(Q)$(LD) $(LDFLAGS_COMMON) $(LDFLAGS_$(1)) -T $(B)/$(1)/linker.ld \
	    -o $$@ $(call OBJS,$(1)) $(B)/$(1)/ksyms.o $(LIBGCC_$(1))
	$(Q)sh kernel/gen_ksyms.sh $(1) $$@ | cmp -s - $(B)/$(1)/ksyms.S || \
	    { echo "ksyms: symbol table moved between links" >&2; exit 1; }
	$(Q)sh boot/check-image.sh $$@

-include $(patsubst %.o,%.d,$(call OBJS,$(1)))
endef
$(foreach a,$(ARCHS),$(eval $(call ARCH_RULES,$(a))))

# ---------------------------------------------------------------- GRUB ISOs
# minnow.iso boots normally; minnow-test.iso runs the self-tests.
define ISO_RULES
$(B)/$(1)/minnow$(2).iso: $(B)/$(1)/minnow.elf boot/grub.cfg.in | tools-iso
	@$(if $(Q),echo "  ISO   $$@")
	$(Q)rm -rf $(B)/$(1)/iso$(2) && mkdir -p $(B)/$(1)/iso$(2)/boot/grub
	$(Q)cp $(B)/$(1)/minnow.elf $(B)/$(1)/iso$(2)/boot/minnow.elf
	$(Q)sed -e 's|@ARCH@|$(1)|g' -e 's|@CMDLINE@|$(3)|g' boot/grub.cfg.in \
	    > $(B)/$(1)/iso$(2)/boot/grub/grub.cfg
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
QEMU_i386	:= qemu-system-i386
QEMU_x86_64	:= qemu-system-x86_64
QEMUFLAGS	= -accel $(ACCEL) -cpu max -smp $(CPUS) -m $(MEM) -no-reboot \
		  -display none -serial mon:stdio \
		  -device isa-debug-exit,iobase=0xf4,iosize=0x04 $(QEMUEXTRA)
ifeq ($(BOOT),iso)
QEMUBOOT	= -cdrom $(B)/$(ARCH)/minnow.iso
RUNDEPS		= $(B)/$(ARCH)/minnow.iso
else
QEMUBOOT	= -kernel $(B)/$(ARCH)/minnow.elf $(if $(CMDLINE),-append "$(CMDLINE)")
RUNDEPS		= $(B)/$(ARCH)/minnow.elf
endif

# QEMU's exit code is the kernel's isa-debug-exit code: 33 means the
# kernel finished well, 35 that it failed; both are a normal end of run.
run qemu qemu-nox: $(RUNDEPS) | tools-run
	@echo "Booting $(ARCH) ($(BOOT), $(CPUS) CPU, $(MEM)); quit with Ctrl-A X"
	$(Q)$(QEMU_$(ARCH)) $(QEMUFLAGS) $(QEMUBOOT); rc=$$?; \
	    case $$rc in 0|33) ;; 35) echo "kernel reported failure (exit 35)";; \
	    *) echo "qemu exited with $$rc"; exit $$rc;; esac

# Start QEMU halted with a gdb stub, then attach gdb with the symbols.
gdb qemu-gdb: $(RUNDEPS) | tools-run tools-gdb
	@echo "QEMU waits for gdb on port $(GDBPORT); its console is $(B)/$(ARCH)/gdb-serial.log"
	$(Q)$(QEMU_$(ARCH)) $(filter-out -serial mon:stdio,$(QEMUFLAGS)) \
	    -serial file:$(B)/$(ARCH)/gdb-serial.log $(QEMUBOOT) \
	    -S -gdb tcp::$(GDBPORT) & qpid=$$!; \
	gdb -q -nx -ex "file $(B)/$(ARCH)/minnow.elf" \
	    -ex "target remote localhost:$(GDBPORT)" -ex "break kmain" \
	    -ex "echo Type 'continue' to boot; 'break FUNC' to stop elsewhere.\n"; \
	kill $$qpid 2>/dev/null; true

# ---------------------------------------------------------------- tests
test: $(KERNELS) $(TEST_ISOS) check-images host-test runner-test | tools-run
	$(Q)python3 tests/run.py --build-dir $(B) $(TESTFLAGS)

# The runner's own unit tests (KTAP parsing, verdicts), no QEMU needed.
runner-test: | tools-run
	@echo "  HOST   tests/host/test_run.py"
	@mkdir -p $(B)
	$(Q)python3 -m unittest -q tests/host/test_run.py >$(B)/runner-test.log 2>&1 \
	    || { cat $(B)/runner-test.log; exit 1; }

# Benchmarks: guest instructions per operation under -icount shift=0,
# and the boot cost against RAM size.
# The same kernels built with -DNO_KASSERT (as FreeBSD's GENERIC-NODEBUG)
# show what the invariant checks cost.
bench: $(KERNELS) | tools-run
	$(Q)$(MAKE) --no-print-directory B=$(B)/nodebug EXTRA_CFLAGS=-DNO_KASSERT kernels
	$(Q)python3 tests/bench.py --build-dir $(B) --nodebug-dir $(B)/nodebug $(BENCHFLAGS)

# The sf_buf stress test at length: STRESS_OPS operations over 4 CPUs on
# i386 at 3 GiB and on x86_64 with sfbuf=map; prints operations and
# mismatches (tests/stress.sh).  Minutes under TCG, so not in `make test`.
STRESS_OPS	?= 1000000
stress: $(KERNELS) | tools-run
	$(Q)sh tests/stress.sh $(B) $(STRESS_OPS)

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
	@echo "Other targets: iso (GRUB ISOs), gdb (alias qemu-gdb), qemu, qemu-nox,"
	@echo "  check-images, host-test, tools (install prerequisites), clean."
	@echo "make test TESTFLAGS='--only i386-* --ktest lib' runs part of the matrix."
