/*
 * QTest testcase for the vtgpu PCI device
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_ids.h"
#include "hw/pci/pci_regs.h"

#define VTGPU_DEVFN                 QPCI_DEVFN(4, 0)

#define VTGPU_REG_ID                0x000
#define VTGPU_REG_VERSION           0x004
#define VTGPU_REG_CAPS              0x008
#define VTGPU_REG_VRAM_SIZE_LO      0x010
#define VTGPU_REG_VRAM_SIZE_HI      0x014
#define VTGPU_REG_VISIBLE_SIZE_LO   0x018
#define VTGPU_REG_VISIBLE_SIZE_HI   0x01c

static const uint32_t vtgpu_ro_regs[] = {
    VTGPU_REG_ID, VTGPU_REG_VERSION, VTGPU_REG_CAPS,
    VTGPU_REG_VRAM_SIZE_LO, VTGPU_REG_VRAM_SIZE_HI,
    VTGPU_REG_VISIBLE_SIZE_LO, VTGPU_REG_VISIBLE_SIZE_HI,
};

typedef struct VTGPUTest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar mmio;
    QPCIBar vram;
    uint64_t mmio_size;
    uint64_t vram_bar_size;
} VTGPUTest;

/* Start QEMU with a vtgpu device, @props appended to its options. */
static void vtgpu_test_start(VTGPUTest *t, const char *props)
{
    t->qts = qtest_initf("-nodefaults -device vtgpu,addr=04.0%s", props);
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, VTGPU_DEVFN);
    g_assert_nonnull(t->dev);
    qpci_device_enable(t->dev);
    t->mmio = qpci_iomap(t->dev, 0, &t->mmio_size);
    t->vram = qpci_iomap(t->dev, 2, &t->vram_bar_size);
}

static void vtgpu_test_stop(VTGPUTest *t)
{
    g_free(t->dev);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
}

static uint32_t vtgpu_readl(VTGPUTest *t, uint64_t reg)
{
    return qpci_io_readl(t->dev, t->mmio, reg);
}

static uint64_t vtgpu_read64(VTGPUTest *t, uint64_t reg_lo)
{
    return vtgpu_readl(t, reg_lo) | (uint64_t)vtgpu_readl(t, reg_lo + 4) << 32;
}

static void test_identity(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, "");

    g_assert_cmphex(qpci_config_readw(t.dev, PCI_VENDOR_ID), ==, 0x1234);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_DEVICE_ID), ==, 0x11f0);
    g_assert_cmphex(qpci_config_readb(t.dev, PCI_REVISION_ID), ==, 1);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_CLASS_DEVICE), ==,
                    PCI_CLASS_DISPLAY_OTHER);

    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_ID), ==, 0x56544750);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_VERSION), ==, 0x00010000);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_CAPS), ==, 0);

    vtgpu_test_stop(&t);
}

static void check_sizes(const char *props, uint64_t vram_size,
                        uint64_t visible_vram_size)
{
    VTGPUTest t;
    uint32_t bar2;

    vtgpu_test_start(&t, props);

    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_VRAM_SIZE_LO), ==, vram_size);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_VISIBLE_SIZE_LO), ==,
                    visible_vram_size);

    g_assert_cmphex(t.mmio_size, ==, 4 * KiB);
    g_assert_cmphex(t.vram_bar_size, ==, visible_vram_size);
    bar2 = qpci_config_readl(t.dev, PCI_BASE_ADDRESS_2);
    g_assert_cmphex(bar2 & ~PCI_BASE_ADDRESS_MEM_MASK, ==,
                    PCI_BASE_ADDRESS_SPACE_MEMORY |
                    PCI_BASE_ADDRESS_MEM_TYPE_64 |
                    PCI_BASE_ADDRESS_MEM_PREFETCH);

    vtgpu_test_stop(&t);
}

static void test_sizes_default(void)
{
    check_sizes("", 256 * MiB, 64 * MiB);
}

static void test_sizes_custom(void)
{
    check_sizes(",vram_size=128M,visible_vram_size=32M", 128 * MiB, 32 * MiB);
}

static void test_vram_rw(void)
{
    VTGPUTest t;
    uint64_t end;

    vtgpu_test_start(&t, ",vram_size=128M,visible_vram_size=32M");
    end = t.vram_bar_size;
    g_assert_cmphex(end, ==, 32 * MiB);

    qpci_io_writel(t.dev, t.vram, 0, 0x12345678);
    qpci_io_writel(t.dev, t.vram, 4, 0x9abcdef0);
    qpci_io_writel(t.dev, t.vram, end - 8, 0xdeadbeef);
    qpci_io_writel(t.dev, t.vram, end - 4, 0xcafef00d);

    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0), ==, 0x12345678);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 4), ==, 0x9abcdef0);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, end - 8), ==, 0xdeadbeef);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, end - 4), ==, 0xcafef00d);
    g_assert_cmphex(qpci_io_readb(t.dev, t.vram, end - 1), ==, 0xca);

    vtgpu_test_stop(&t);
}

static void test_ro_registers(void)
{
    static const uint32_t unknown_regs[] = { 0x00c, 0x020, 0xffc };
    uint32_t before[ARRAY_SIZE(vtgpu_ro_regs)];
    VTGPUTest t;
    int i;

    vtgpu_test_start(&t, "");

    for (i = 0; i < ARRAY_SIZE(vtgpu_ro_regs); i++) {
        before[i] = vtgpu_readl(&t, vtgpu_ro_regs[i]);
        qpci_io_writel(t.dev, t.mmio, vtgpu_ro_regs[i], ~before[i]);
    }
    for (i = 0; i < ARRAY_SIZE(vtgpu_ro_regs); i++) {
        g_assert_cmphex(vtgpu_readl(&t, vtgpu_ro_regs[i]), ==, before[i]);
    }

    for (i = 0; i < ARRAY_SIZE(unknown_regs); i++) {
        g_assert_cmphex(vtgpu_readl(&t, unknown_regs[i]), ==, 0);
        qpci_io_writel(t.dev, t.mmio, unknown_regs[i], 0xffffffff);
        g_assert_cmphex(vtgpu_readl(&t, unknown_regs[i]), ==, 0);
    }

    vtgpu_test_stop(&t);
}

typedef struct BadProps {
    const char *name;
    uint64_t vram_size;
    uint64_t visible_vram_size;
    const char *error;
} BadProps;

static const BadProps bad_props[] = {
    {
        "visible-above-vram", 64 * MiB, 128 * MiB,
        "*visible_vram_size (134217728 bytes) must not exceed "
        "vram_size (67108864 bytes)*",
    }, {
        "visible-not-power-of-2", 256 * MiB, 48 * MiB,
        "*visible_vram_size must be a power of two*",
    }, {
        "visible-below-1M", 256 * MiB, 512 * KiB,
        "*visible_vram_size must be at least 1 MiB*",
    }, {
        "vram-not-1M-multiple", 256 * MiB + 4 * KiB, 64 * MiB,
        "*vram_size must be a multiple of 1 MiB*",
    }, {
        "vram-above-16G", 32 * GiB, 64 * MiB,
        "*vram_size must be at most 16 GiB*",
    },
};

/*
 * QEMU must refuse to start with invalid sizes, and say why.  It exits
 * while qtest_init() waits for it, which makes qtest_init() abort, so
 * start it in a subprocess and check how that ended.
 */
static void test_bad_props(const void *data)
{
    const BadProps *bad = data;

    if (g_test_subprocess()) {
        QTestState *qts = qtest_initf("-nodefaults -device vtgpu,"
                                      "vram_size=%" PRIu64 ","
                                      "visible_vram_size=%" PRIu64,
                                      bad->vram_size,
                                      bad->visible_vram_size);

        /* Not reached when QEMU refuses to start */
        qtest_quit(qts);
        return;
    }

    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(bad->error);
}

int main(int argc, char **argv)
{
    int i;

    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vtgpu/identity", test_identity);
    qtest_add_func("/vtgpu/sizes/default", test_sizes_default);
    qtest_add_func("/vtgpu/sizes/custom", test_sizes_custom);
    qtest_add_func("/vtgpu/vram-rw", test_vram_rw);
    qtest_add_func("/vtgpu/ro-registers", test_ro_registers);
    for (i = 0; i < ARRAY_SIZE(bad_props); i++) {
        g_autofree char *path = g_strdup_printf("/vtgpu/bad-props/%s",
                                                bad_props[i].name);

        qtest_add_data_func(path, &bad_props[i], test_bad_props);
    }

    return g_test_run();
}
