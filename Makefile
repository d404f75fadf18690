# SPDX-License-Identifier: GPL-2.0-only
#
# vtgpu: the user's entry point. Every target installs what the host
# lacks and builds only what changed; builds are cached in
# $(VTGPU_CACHE) (default ~/.cache/vtgpu).
#
#   make run             build everything, boot a lockdep guest with the
#                        vtgpu device, run the igt suite, print the verdict
#   make check           the full test suite (what .ci/run runs)
#   make test T=NAME     one igt test, or one subtest: T=vtgpu_basic@getparam
#   make shell           an interactive guest with the modules loaded
#   make driver          the driver alone, out of tree (make -C KDIR M=...)
#   make bench           the benchmarks, on the bench kernel and on the lockdep
#                        one: out/bench-results/
#   make soak            the KASAN + kmemleak soak: the igt suites SOAK_N times,
#                        the eviction soak, the fuzzers: out/soak-results/
#   make patches         the upstream series for Linux, QEMU and igt, cut
#                        from this tree into out/patches/ (ci/check.sh
#                        patches applies them to pristine trees and builds)
#
# The guest kernel is Debian's Linux 7.3; KERNEL_SRC=DIR (a git tree, only
# read) builds and boots yours instead, DEBIAN_KERNEL=6.12 the 6.12 LTS
# with its backports: make run KERNEL_SRC=~/src/linux

SHELL := /bin/bash
CI := ci

.PHONY: all run check test shell setup kernel qemu tests driver bench soak patches clean help

all: help

run:
	$(CI)/run.sh

check:
	$(CI)/check.sh

test: kernel qemu tests
	TESTS="$(T)" $(CI)/run-guest.sh

bench:
	$(CI)/bench.sh $(B)

soak:
	$(CI)/soak.sh

shell: kernel qemu tests
	INTERACTIVE=1 $(CI)/run-guest.sh

setup:
	$(CI)/setup-host.sh

kernel: setup
	$(CI)/build-kernel.sh

qemu: setup
	$(CI)/build-qemu.sh

tests: setup
	$(CI)/build-tests.sh

driver: kernel
	rm -rf out/driver && mkdir -p out/driver
	cp drivers/gpu/drm/vtgpu/* out/driver/
	. $(CI)/lib.sh && $(MAKE) -C "$$(kernel_build_dir)" M=$(CURDIR)/out/driver \
		CONFIG_DRM_VTGPU=m KCFLAGS=-I$(CURDIR)/include/uapi modules

patches: setup
	$(CI)/make-patches.sh

clean:
	rm -rf out

help:
	@sed -n 's/^#   //p' Makefile
