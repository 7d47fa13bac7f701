# Host unit tests: lib/printf.c and lib/string.c built with the host
# compiler and compared with glibc (tests/host/test_lib.c, the harness;
# test_printf.c and test_string.c, the cases).  Included by the top-level
# Makefile.
#
#   make host-test	build build/host/test_lib, and test_lib32 (the same
#			with -m32, for the i386 code paths), and run both
#
# The 64-bit build is exactly:
#   cc -std=c11 -O1 -Wall -Wextra -Werror -I. -fno-builtin -include tests/host/rename.h -o build/host/test_lib tests/host/test_lib.c tests/host/test_printf.c tests/host/test_string.c lib/printf.c lib/string.c

HOST_CC		?= cc
HOST_DIR	:= $(B)/host
HOST_CFLAGS	:= -std=c11 -O1 -Wall -Wextra -Werror -I. -fno-builtin \
		   -include tests/host/rename.h
HOST_SRCS	:= tests/host/test_lib.c tests/host/test_printf.c \
		   tests/host/test_string.c lib/printf.c lib/string.c
HOST_DEPS	:= $(HOST_SRCS) tests/host/rename.h tests/host/test_lib.h \
		   lib/printf.h lib/string.h \
		   tests/host/host.mk $(HOST_DIR)/flags

.PHONY: host-test

# The compiler, flags and sources, rewritten only when they change (see
# "flags files" in the Makefile): make HOST_CC=clang host-test rebuilds.
$(HOST_DIR)/flags: FORCE
	$(call flags_file,$(HOST_CC) $(HOST_CFLAGS) $(HOST_SRCS))

$(HOST_DIR)/test_lib: $(HOST_DEPS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC $@")
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $(HOST_SRCS)

# -m32 needs the 32-bit glibc of gcc-multilib, which tools-build checks.
$(HOST_DIR)/test_lib32: $(HOST_DEPS) | tools-build
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC $@")
	$(Q)$(HOST_CC) -m32 $(HOST_CFLAGS) -o $@ $(HOST_SRCS)

host-test: $(HOST_DIR)/test_lib $(HOST_DIR)/test_lib32
	@echo "  HOST   test_lib (x86_64)"
	$(Q)$(HOST_DIR)/test_lib
	@echo "  HOST   test_lib32 (i386)"
	$(Q)$(HOST_DIR)/test_lib32
