#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The driver's register header against QEMU's, its source.

QEMU's qemu-device/include/hw/misc/vtgpu_regs.h defines the device's
interface; drivers/gpu/drm/vtgpu/vtgpu_regs.h must use its names for the
same things. Both headers are compiled (with the few kernel and QEMU
helpers they include stubbed) and every object-like macro of the driver's
must exist in QEMU's with the same value. igt's copy of the PCI ID
(igt-tests/lib/igt_vtgpu.h) must be QEMU's too.
"""

import os
import re
import subprocess
import tempfile
import unittest

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
QEMU_REGS = os.path.join(TOP, "qemu-device", "include", "hw", "misc",
                         "vtgpu_regs.h")
KERNEL_REGS = os.path.join(TOP, "drivers", "gpu", "drm", "vtgpu",
                           "vtgpu_regs.h")
IGT_VTGPU_H = os.path.join(TOP, "igt-tests", "lib", "igt_vtgpu.h")

# What the headers include, as the kernel and QEMU define it.
STUBS = {
    "linux/bits.h": """
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define GENMASK(h, l) (((~0UL) << (l)) & (~0UL >> (63 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) << (l)) & (~0ULL >> (63 - (h))))
""",
    "linux/sizes.h": "#define SZ_4K 0x1000\n#define SZ_1M 0x100000\n",
    "linux/types.h": """
#include <stdint.h>
typedef uint32_t __le32;
typedef uint64_t __le64;
""",
    "qemu/bitops.h": """
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define MAKE_64BIT_MASK(shift, length) \\
    (((~0ULL) >> (64 - (length))) << (shift))
""",
    "qemu/units.h": "#define KiB (1LL << 10)\n#define MiB (1LL << 20)\n",
}


def object_macros(header, stubdir):
    """The names of header's object-like macros, its include guard aside."""
    out = subprocess.run(["gcc", "-E", "-dM", "-I", stubdir, header],
                         check=True, capture_output=True, text=True).stdout
    with open(header) as f:
        own = set(re.findall(r"^#define\s+(\w+)(?![\w(])", f.read(), re.M))
    names = set()
    for line in out.splitlines():
        m = re.match(r"#define (\w+) ", line)
        if m and m.group(1) in own and not m.group(1).endswith("_H") \
                and not m.group(1).endswith("_H__"):
            names.add(m.group(1))
    return names


def values(header, names, stubdir):
    """The value of each name of header, computed by a compiled program."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "values.c")
        exe = os.path.join(tmp, "values")
        with open(src, "w") as f:
            f.write('#include <stdio.h>\n#include "%s"\nint main(void)\n{\n'
                    % header)
            for n in sorted(names):
                f.write('\tprintf("%s %%llu\\n", '
                        '(unsigned long long)(%s));\n' % (n, n))
            f.write("\treturn 0;\n}\n")
        subprocess.run(["gcc", "-Wall", "-Werror", "-I", stubdir, "-o", exe,
                        src], check=True)
        out = subprocess.run([exe], check=True, capture_output=True,
                             text=True).stdout
    return dict((n, int(v)) for n, v in (l.split() for l in
                                         out.splitlines()))


class RegsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        for name, text in STUBS.items():
            path = os.path.join(cls.tmp.name, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        stubs = cls.tmp.name
        cls.qemu = values(QEMU_REGS, object_macros(QEMU_REGS, stubs), stubs)
        cls.kernel = values(KERNEL_REGS, object_macros(KERNEL_REGS, stubs),
                            stubs)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_headers_define_registers(self):
        # Guards against a stub or pattern that makes both sets empty.
        for regs in (self.qemu, self.kernel):
            self.assertEqual(regs.get("VTGPU_REG_DOORBELL"), 0x94)
            self.assertGreater(len(regs), 60)

    def test_kernel_names_are_qemu_names(self):
        self.assertEqual(sorted(set(self.kernel) - set(self.qemu)), [])

    def test_igt_pci_id_is_qemu_pci_id(self):
        # igt's tests check the device node's PCI ID against their own
        # copy (the ID is not uapi).
        with open(IGT_VTGPU_H) as f:
            igt = dict((n, int(v, 0)) for n, v in re.findall(
                r"^#define\s+(VTGPU_PCI_(?:VENDOR|DEVICE)_ID)\s+(\w+)",
                f.read(), re.M))
        self.assertEqual(igt, {"VTGPU_PCI_VENDOR_ID":
                               self.qemu["VTGPU_PCI_VENDOR_ID"],
                               "VTGPU_PCI_DEVICE_ID":
                               self.qemu["VTGPU_PCI_DEVICE_ID"]})

    def test_kernel_values_are_qemu_values(self):
        differ = ["%s: kernel %#x, QEMU %#x" % (n, v, self.qemu[n])
                  for n, v in sorted(self.kernel.items())
                  if n in self.qemu and self.qemu[n] != v]
        self.assertEqual(differ, [])


if __name__ == "__main__":
    unittest.main()
