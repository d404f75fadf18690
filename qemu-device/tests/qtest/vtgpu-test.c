/*
 * QTest testcase for the vtgpu PCI device
 *
 * Holds the device to docs/specs/vtgpu.rst: registers, ring, commands,
 * GART, errors, interrupts, injection, delay, statistics, migration and
 * hotplug.  Guest memory is used at fixed guest-physical addresses well
 * inside the default 128 MiB of RAM.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "hw/pci/pci_ids.h"
#include "hw/pci/pci_regs.h"
#include "hw/misc/vtgpu_regs.h"

#define VTGPU_SLOT                  4
#define VTGPU_DEVFN                 QPCI_DEVFN(VTGPU_SLOT, 0)
#define PIIX3_DEVFN                 QPCI_DEVFN(1, 0)
#define PIIX3_PIRQD_ROUTE           0x63    /* slot 4 INTA is PIRQD */
#define VTGPU_INTX_GSI              11

#define G                           VTGPU_GART_BASE

#define GART_RW                     (VTGPU_GART_VALID | VTGPU_GART_WRITABLE)
#define PAGE                        4096

/* Guest-physical memory used by the tests */
#define RING_GPA                    0x01000000ULL
#define FENCE_WB_GPA                0x01010000ULL
#define MSI_GPA                     0x01018000ULL
#define TABLE_GPA                   0x01100000ULL
#define DATA_GPA                    0x01400000ULL
#define NO_RAM_GPA                  0x200000000ULL  /* 8 GiB: nothing */
#define ROM_GPA                     0xfffff000ULL   /* the BIOS */

#define SMALL_PROPS ",vram-size=8M,visible-vram-size=4M,gart-size=1M"

/* The machine of the generic fuzzer's vtgpu config (generic-fuzz-vtgpu) */
#define FUZZ_ARGS "-machine q35 -nodefaults -device vtgpu,vram-size=16M," \
    "visible-vram-size=8M,gart-size=1M"

static const uint32_t vtgpu_ro_regs[] = {
    VTGPU_REG_ID, VTGPU_REG_VERSION, VTGPU_REG_CAPS,
    VTGPU_REG_VRAM_SIZE_LO, VTGPU_REG_VRAM_SIZE_HI,
    VTGPU_REG_VISIBLE_SIZE_LO, VTGPU_REG_VISIBLE_SIZE_HI,
    VTGPU_REG_GART_SIZE_LO, VTGPU_REG_GART_SIZE_HI,
    VTGPU_REG_GART_BASE_LO, VTGPU_REG_GART_BASE_HI,
    VTGPU_REG_RING_HEAD, VTGPU_REG_ENGINE_STATUS,
    VTGPU_REG_FENCE_SEQNO_LO, VTGPU_REG_FENCE_SEQNO_HI,
    VTGPU_REG_INT_STATUS,
    VTGPU_REG_ERROR_CODE, VTGPU_REG_ERROR_HEAD,
    VTGPU_REG_ERROR_ADDR_LO, VTGPU_REG_ERROR_ADDR_HI,
    VTGPU_REG_STAT_COMMANDS_LO, VTGPU_REG_STAT_COMMANDS_HI,
    VTGPU_REG_STAT_BYTES_LO, VTGPU_REG_STAT_BYTES_HI,
    VTGPU_REG_STAT_MAX_BURST_LO, VTGPU_REG_STAT_MAX_BURST_HI,
};

typedef struct VTGPUTest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar mmio;
    QPCIBar vram;
    uint64_t mmio_size;
    uint64_t vram_bar_size;
    /* the ring as the test driver sees it */
    uint32_t ring_size;
    uint32_t tail;
} VTGPUTest;

/* Find, enable and map the vtgpu device at @devfn of a running QEMU. */
static void vtgpu_test_attach(VTGPUTest *t, QTestState *qts, int devfn)
{
    memset(t, 0, sizeof(*t));
    t->qts = qts;
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, devfn);
    g_assert_nonnull(t->dev);
    qpci_device_enable(t->dev);
    t->mmio = qpci_iomap(t->dev, 0, &t->mmio_size);
    t->vram = qpci_iomap(t->dev, 2, &t->vram_bar_size);
}

static void vtgpu_test_detach(VTGPUTest *t)
{
    g_free(t->dev);
    qpci_free_pc(t->bus);
}

/* Start QEMU with a vtgpu device, @props appended to its options. */
static void vtgpu_test_start(VTGPUTest *t, const char *props)
{
    vtgpu_test_attach(t, qtest_initf("-nodefaults -device vtgpu,addr=%02x.0%s",
                                     VTGPU_SLOT, props), VTGPU_DEVFN);
}

static void vtgpu_test_stop(VTGPUTest *t)
{
    vtgpu_test_detach(t);
    qtest_quit(t->qts);
}

static uint32_t vtgpu_readl(VTGPUTest *t, uint64_t reg)
{
    return qpci_io_readl(t->dev, t->mmio, reg);
}

static void vtgpu_writel(VTGPUTest *t, uint64_t reg, uint32_t val)
{
    qpci_io_writel(t->dev, t->mmio, reg, val);
}

static uint64_t vtgpu_read64(VTGPUTest *t, uint64_t reg_lo)
{
    return vtgpu_readl(t, reg_lo) | (uint64_t)vtgpu_readl(t, reg_lo + 4) << 32;
}

static void vtgpu_write64(VTGPUTest *t, uint64_t reg_lo, uint64_t val)
{
    vtgpu_writel(t, reg_lo, val);
    vtgpu_writel(t, reg_lo + 4, val >> 32);
}

static uint32_t vtgpu_status(VTGPUTest *t)
{
    return vtgpu_readl(t, VTGPU_REG_ENGINE_STATUS);
}

/* Program a ring of @size bytes at RING_GPA */
static void vtgpu_ring_setup(VTGPUTest *t, uint32_t size)
{
    qtest_memset(t->qts, RING_GPA, 0, size);
    vtgpu_write64(t, VTGPU_REG_RING_BASE_LO, RING_GPA);
    vtgpu_writel(t, VTGPU_REG_RING_SIZE, size);
    t->ring_size = size;
    t->tail = 0;
}

/* Write a command into the ring at the test's tail */
static void vtgpu_emit(VTGPUTest *t, uint32_t opcode, uint32_t flags,
                       uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
    uint8_t cmd[32];

    stl_le_p(cmd, opcode);
    stl_le_p(cmd + 4, flags);
    stq_le_p(cmd + 8, arg0);
    stq_le_p(cmd + 16, arg1);
    stq_le_p(cmd + 24, arg2);
    qtest_memwrite(t->qts, RING_GPA + t->tail, cmd, sizeof(cmd));
    t->tail = (t->tail + sizeof(cmd)) % t->ring_size;
}

static void vtgpu_nop(VTGPUTest *t)
{
    vtgpu_emit(t, VTGPU_OP_NOP, 0, 0, 0, 0);
}

static void vtgpu_copy(VTGPUTest *t, uint64_t src, uint64_t dst, uint64_t len)
{
    vtgpu_emit(t, VTGPU_OP_COPY, 0, src, dst, len);
}

static void vtgpu_fill(VTGPUTest *t, uint64_t dst, uint64_t len,
                       uint32_t pattern)
{
    vtgpu_emit(t, VTGPU_OP_FILL, 0, dst, len, pattern);
}

static void vtgpu_fence(VTGPUTest *t, uint64_t seqno, uint32_t flags)
{
    vtgpu_emit(t, VTGPU_OP_FENCE, flags, seqno, 0, 0);
}

static void vtgpu_kick(VTGPUTest *t)
{
    vtgpu_writel(t, VTGPU_REG_RING_TAIL, t->tail);
    vtgpu_writel(t, VTGPU_REG_DOORBELL, 1);
}

/* Wait until the engine is not BUSY; return ENGINE_STATUS */
static uint32_t vtgpu_wait_idle(VTGPUTest *t)
{
    uint32_t status;
    int i;

    for (i = 0; i < 100000; i++) {
        status = vtgpu_status(t);
        if (!(status & VTGPU_STATUS_BUSY)) {
            return status;
        }
    }
    g_assert_not_reached();
}

/* Kick the engine and check that it executed everything without error */
static void vtgpu_run(VTGPUTest *t)
{
    vtgpu_kick(t);
    g_assert_cmphex(vtgpu_wait_idle(t), ==, 0);
    g_assert_cmphex(vtgpu_readl(t, VTGPU_REG_RING_HEAD), ==, t->tail);
    g_assert_cmpuint(vtgpu_readl(t, VTGPU_REG_ERROR_CODE), ==, VTGPU_ERR_NONE);
}

static void vtgpu_engine_reset(VTGPUTest *t)
{
    vtgpu_writel(t, VTGPU_REG_ENGINE_RESET, 1);
    t->tail = 0;
}

/* Check that the engine halted on error @code at ring offset @head */
static void check_halted(VTGPUTest *t, uint32_t code, uint32_t head,
                         uint64_t addr)
{
    g_assert_cmphex(vtgpu_wait_idle(t), ==, VTGPU_STATUS_HALTED);
    g_assert_cmpuint(vtgpu_readl(t, VTGPU_REG_ERROR_CODE), ==, code);
    g_assert_cmphex(vtgpu_readl(t, VTGPU_REG_ERROR_HEAD), ==, head);
    g_assert_cmphex(vtgpu_read64(t, VTGPU_REG_ERROR_ADDR_LO), ==, addr);
    g_assert_cmphex(vtgpu_readl(t, VTGPU_REG_RING_HEAD), ==, head);
    g_assert_cmphex(vtgpu_readl(t, VTGPU_REG_INT_STATUS) & VTGPU_INT_ERROR, ==,
                    VTGPU_INT_ERROR);
    /* QEMU is alive and well */
    g_assert_cmphex(vtgpu_readl(t, VTGPU_REG_ID), ==, VTGPU_ID);
}

static void gart_set(VTGPUTest *t, uint64_t page, uint64_t entry)
{
    qtest_writeq(t->qts, TABLE_GPA + page * 8, entry);
}

static void gart_setup(VTGPUTest *t)
{
    vtgpu_write64(t, VTGPU_REG_GART_TABLE_LO, TABLE_GPA);
}

/* Deterministic test data */
static void fill_data(uint8_t *buf, size_t len, uint32_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = seed >> 16;
    }
}

static void vram_write(VTGPUTest *t, uint64_t off, const void *buf,
                       size_t len)
{
    qpci_memwrite(t->dev, t->vram, off, buf, len);
}

static void vram_read(VTGPUTest *t, uint64_t off, void *buf, size_t len)
{
    qpci_memread(t->dev, t->vram, off, buf, len);
}

static void assert_bytes(const uint8_t *buf, uint8_t val, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        g_assert_cmphex(buf[i], ==, val);
    }
}

static void assert_vram_bytes(VTGPUTest *t, uint64_t off, uint8_t val,
                              size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    vram_read(t, off, buf, len);
    assert_bytes(buf, val, len);
}

static void assert_guest_bytes(VTGPUTest *t, uint64_t gpa, uint8_t val,
                               size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    qtest_memread(t->qts, gpa, buf, len);
    assert_bytes(buf, val, len);
}

/*
 * Identity, sizes and registers
 */
static void test_identity(void)
{
    VTGPUTest t;
    uint8_t cap;

    vtgpu_test_start(&t, "");

    g_assert_cmphex(qpci_config_readw(t.dev, PCI_VENDOR_ID), ==,
                    VTGPU_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_DEVICE_ID), ==,
                    VTGPU_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readb(t.dev, PCI_REVISION_ID), ==, 1);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_CLASS_DEVICE), ==,
                    PCI_CLASS_DISPLAY_OTHER);
    g_assert_cmphex(qpci_config_readb(t.dev, PCI_INTERRUPT_PIN), ==, 1);

    cap = qpci_find_capability(t.dev, PCI_CAP_ID_MSI, 0);
    g_assert_cmphex(cap, !=, 0);
    g_assert_cmphex(qpci_config_readw(t.dev, cap + PCI_MSI_FLAGS) &
                    (PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_QMASK |
                     PCI_MSI_FLAGS_MASKBIT), ==, PCI_MSI_FLAGS_64BIT);

    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_ID), ==, 0x56544750);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_VERSION), ==, 0x00010001);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_CAPS), ==, VTGPU_CAPS);

    vtgpu_test_stop(&t);
}

static void check_sizes(const char *props, uint64_t vram_size,
                        uint64_t visible_vram_size, uint64_t gart_size)
{
    VTGPUTest t;
    uint32_t bar2;

    vtgpu_test_start(&t, props);

    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_VRAM_SIZE_LO), ==, vram_size);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_VISIBLE_SIZE_LO), ==,
                    visible_vram_size);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_GART_SIZE_LO), ==, gart_size);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_GART_BASE_LO), ==,
                    0x10000000000ULL);

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
    check_sizes("", 256 * MiB, 64 * MiB, 512 * MiB);
}

static void test_sizes_custom(void)
{
    check_sizes(",vram-size=128M,visible-vram-size=32M,gart-size=4G",
                128 * MiB, 32 * MiB, 4 * GiB);
}

static void test_vram_rw(void)
{
    VTGPUTest t;
    uint64_t end;

    vtgpu_test_start(&t, ",vram-size=128M,visible-vram-size=32M");
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

/*
 * The MM_INDEX/MM_DATA window reaches all of VRAM: what BAR2 shows, and
 * the invisible part, which the engine then copies where BAR2 shows it.
 * Past the last dword, reads give 0 and writes change nothing.
 */
static void test_mm_window(void)
{
    const uint64_t invisible = 6 * MiB + 0x124;
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);

    qpci_io_writel(t.dev, t.vram, 0x1000, 0x12345678);
    vtgpu_write64(&t, VTGPU_REG_MM_INDEX_LO, 0x1002);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_MM_INDEX_LO), ==, 0x1000);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_MM_DATA), ==, 0x12345678);
    vtgpu_writel(&t, VTGPU_REG_MM_DATA, 0x9abcdef0);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0x1000), ==, 0x9abcdef0);
    /* MM_INDEX does not advance */
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_MM_DATA), ==, 0x9abcdef0);

    vtgpu_write64(&t, VTGPU_REG_MM_INDEX_LO, invisible);
    vtgpu_writel(&t, VTGPU_REG_MM_DATA, 0xfeedf00d);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_MM_DATA), ==, 0xfeedf00d);
    vtgpu_copy(&t, invisible, 0x2000, 4);
    vtgpu_run(&t);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0x2000), ==, 0xfeedf00d);

    /* The last dword of VRAM, and past it */
    vtgpu_write64(&t, VTGPU_REG_MM_INDEX_LO, 8 * MiB - 4);
    vtgpu_writel(&t, VTGPU_REG_MM_DATA, 0x55aa55aa);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_MM_DATA), ==, 0x55aa55aa);
    vtgpu_write64(&t, VTGPU_REG_MM_INDEX_LO, 8 * MiB);
    vtgpu_writel(&t, VTGPU_REG_MM_DATA, 0x11111111);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_MM_DATA), ==, 0);
    vtgpu_write64(&t, VTGPU_REG_MM_INDEX_LO, (1ULL << 32) | 0x1000);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_MM_DATA), ==, 0);
    vtgpu_write64(&t, VTGPU_REG_MM_INDEX_LO, 8 * MiB - 4);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_MM_DATA), ==, 0x55aa55aa);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);

    /* An engine reset keeps MM_INDEX (a device reset clears it) */
    vtgpu_writel(&t, VTGPU_REG_ENGINE_RESET, 1);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_MM_INDEX_LO), ==, 8 * MiB - 4);

    vtgpu_test_stop(&t);
}

static void test_ro_registers(void)
{
    static const uint32_t unknown_regs[] = {
        0x00c, 0x030, 0x048, 0x0b0, 0x0cc, 0x0f0, 0x108, 0x130, 0x14c,
        0xffc,
    };
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

typedef struct RegValue {
    uint32_t reg;
    uint32_t val;
} RegValue;

/* Every register at reset, for a device with engine-delay-us=77 */
static const RegValue reset_values[] = {
    { VTGPU_REG_ID, VTGPU_ID },
    { VTGPU_REG_VERSION, 0x00010001 },
    { VTGPU_REG_CAPS, VTGPU_CAPS },
    { VTGPU_REG_VRAM_SIZE_LO, 8 * MiB },
    { VTGPU_REG_VRAM_SIZE_HI, 0 },
    { VTGPU_REG_VISIBLE_SIZE_LO, 4 * MiB },
    { VTGPU_REG_VISIBLE_SIZE_HI, 0 },
    { VTGPU_REG_GART_SIZE_LO, 1 * MiB },
    { VTGPU_REG_GART_SIZE_HI, 0 },
    { VTGPU_REG_GART_BASE_LO, 0 },
    { VTGPU_REG_GART_BASE_HI, 0x100 },
    { VTGPU_REG_GART_TABLE_LO, 0 },
    { VTGPU_REG_GART_TABLE_HI, 0 },
    { VTGPU_REG_RING_BASE_LO, 0 },
    { VTGPU_REG_RING_BASE_HI, 0 },
    { VTGPU_REG_RING_SIZE, 0 },
    { VTGPU_REG_RING_HEAD, 0 },
    { VTGPU_REG_RING_TAIL, 0 },
    { VTGPU_REG_DOORBELL, 0 },
    { VTGPU_REG_ENGINE_STATUS, 0 },
    { VTGPU_REG_ENGINE_RESET, 0 },
    { VTGPU_REG_FENCE_SEQNO_LO, 0 },
    { VTGPU_REG_FENCE_SEQNO_HI, 0 },
    { VTGPU_REG_FENCE_WB_LO, 0 },
    { VTGPU_REG_FENCE_WB_HI, 0 },
    { VTGPU_REG_INT_STATUS, 0 },
    { VTGPU_REG_INT_MASK, 0 },
    { VTGPU_REG_INT_ACK, 0 },
    { VTGPU_REG_ERROR_CODE, 0 },
    { VTGPU_REG_ERROR_HEAD, 0 },
    { VTGPU_REG_ERROR_ADDR_LO, 0 },
    { VTGPU_REG_ERROR_ADDR_HI, 0 },
    { VTGPU_REG_INJECT, 0 },
    { VTGPU_REG_ENGINE_DELAY_US, 77 },
    { VTGPU_REG_STAT_COMMANDS_LO, 0 },
    { VTGPU_REG_STAT_COMMANDS_HI, 0 },
    { VTGPU_REG_STAT_BYTES_LO, 0 },
    { VTGPU_REG_STAT_BYTES_HI, 0 },
    { VTGPU_REG_STAT_MAX_BURST_LO, 0 },
    { VTGPU_REG_STAT_MAX_BURST_HI, 0 },
    { VTGPU_REG_MM_INDEX_LO, 0 },
    { VTGPU_REG_MM_INDEX_HI, 0 },
};

static void check_reset_values(VTGPUTest *t)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(reset_values); i++) {
        g_test_message("register 0x%03x", reset_values[i].reg);
        g_assert_cmphex(vtgpu_readl(t, reset_values[i].reg), ==,
                        reset_values[i].val);
    }
}

/* What a RW register reads back after a write */
typedef struct RegWrite {
    uint32_t reg;
    uint32_t val;
    uint32_t readback;
} RegWrite;

static const RegWrite rw_values[] = {
    { VTGPU_REG_GART_TABLE_LO, 0xffffffff, 0xfffff000 },
    { VTGPU_REG_GART_TABLE_HI, 0xffffffff, 0xffffffff },
    { VTGPU_REG_RING_BASE_LO, 0x12345678, 0x12345000 },
    { VTGPU_REG_RING_BASE_HI, 0x9abcdef0, 0x9abcdef0 },
    { VTGPU_REG_RING_SIZE, 0x12345, 0x12345 },
    { VTGPU_REG_RING_TAIL, 0x40, 0x40 },
    { VTGPU_REG_RING_TAIL, 0x41, 0x41 },
    { VTGPU_REG_FENCE_WB_LO, 0xffffffff, 0xfffffff8 },
    { VTGPU_REG_FENCE_WB_HI, 0x1, 0x1 },
    { VTGPU_REG_INT_MASK, 0xffffffff, 0x3 },
    { VTGPU_REG_INT_MASK, 0x1, 0x1 },
    { VTGPU_REG_INJECT, VTGPU_INJECT_FAIL_NEXT, VTGPU_INJECT_FAIL_NEXT },
    { VTGPU_REG_INJECT, 5, VTGPU_INJECT_FAIL_NEXT },  /* ignored */
    { VTGPU_REG_INJECT, VTGPU_INJECT_NONE, VTGPU_INJECT_NONE },
    { VTGPU_REG_ENGINE_DELAY_US, 123, 123 },
    { VTGPU_REG_ENGINE_DELAY_US, 10000000, 10000000 },
    { VTGPU_REG_ENGINE_DELAY_US, 20000000, 10000000 }, /* capped */
    { VTGPU_REG_ENGINE_DELAY_US, 0, 0 },
    { VTGPU_REG_RING_SIZE, 0, 0 },
    { VTGPU_REG_DOORBELL, 1, 0 },    /* ring disabled: ignored */
    { VTGPU_REG_INT_ACK, 0xffffffff, 0 },
    { VTGPU_REG_ENGINE_RESET, 0xfffffffe, 0 },
    { VTGPU_REG_MM_INDEX_LO, 0xffffffff, 0xfffffffc },
    { VTGPU_REG_MM_INDEX_HI, 0x12345678, 0x12345678 },
};

static void test_registers(void)
{
    VTGPUTest t;
    int i;

    vtgpu_test_start(&t, SMALL_PROPS ",engine-delay-us=77");
    check_reset_values(&t);

    for (i = 0; i < ARRAY_SIZE(rw_values); i++) {
        g_test_message("register 0x%03x", rw_values[i].reg);
        vtgpu_writel(&t, rw_values[i].reg, rw_values[i].val);
        g_assert_cmphex(vtgpu_readl(&t, rw_values[i].reg), ==,
                        rw_values[i].readback);
    }
    /* Each half of a 64-bit register is written alone */
    vtgpu_writel(&t, VTGPU_REG_RING_BASE_HI, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_RING_BASE_LO), ==, 0x12345000);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_GART_TABLE_LO), ==,
                    0xfffffffffffff000ULL);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_WB_LO), ==,
                    0x1fffffff8ULL);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);

    vtgpu_test_stop(&t);
}

/* A system reset puts every register back to its reset value */
static void test_system_reset(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS ",engine-delay-us=77");
    qpci_io_writel(t.dev, t.vram, 0x100, 0xfeedf00d);

    vtgpu_writel(&t, VTGPU_REG_ENGINE_DELAY_US, 0);
    vtgpu_write64(&t, VTGPU_REG_FENCE_WB_LO, FENCE_WB_GPA);
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE | VTGPU_INT_ERROR);
    gart_setup(&t);
    vtgpu_ring_setup(&t, 4096);
    vtgpu_fill(&t, 0, 64, 0x01020304);
    vtgpu_fence(&t, 9, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    vtgpu_emit(&t, 99, 0, 0, 0, 0);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_BAD_COMMAND, 64, 0);
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_HANG);
    g_assert_cmphex(vtgpu_status(&t), ==,
                    VTGPU_STATUS_BUSY | VTGPU_STATUS_HALTED |
                    VTGPU_STATUS_HUNG);
    vtgpu_write64(&t, VTGPU_REG_MM_INDEX_LO, 0x1000);

    qtest_qmp_assert_success(t.qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(t.qts, "RESET");

    /* The reset cleared the BARs: map them again */
    qpci_device_enable(t.dev);
    t.mmio = qpci_iomap(t.dev, 0, NULL);
    t.vram = qpci_iomap(t.dev, 2, NULL);
    check_reset_values(&t);
    /* VRAM is kept */
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0x100), ==, 0xfeedf00d);

    vtgpu_test_stop(&t);
}

/*
 * Ring
 */
static void test_ring(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);

    /* A ring of the largest size, not at the start of a page */
    vtgpu_write64(&t, VTGPU_REG_RING_BASE_LO, RING_GPA + 0x123);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_RING_BASE_LO), ==, RING_GPA);
    vtgpu_ring_setup(&t, 1 * MiB);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_SIZE), ==, 1 * MiB);
    vtgpu_nop(&t);
    vtgpu_nop(&t);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 64);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_TAIL), ==, 64);

    /* Writing RING_SIZE resets HEAD and TAIL */
    vtgpu_ring_setup(&t, 4096);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_TAIL), ==, 0);

    /* The doorbell with HEAD == TAIL does nothing */
    vtgpu_kick(&t);
    g_assert_cmphex(vtgpu_wait_idle(&t), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);

    /* Commands that wrap around the end of the ring */
    while (t.tail != 4096 - 64) {
        vtgpu_nop(&t);
    }
    vtgpu_run(&t);
    vtgpu_fence(&t, 1, 0);
    vtgpu_fence(&t, 2, 0);
    vtgpu_fence(&t, 3, 0);
    g_assert_cmphex(t.tail, ==, 32);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 32);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 3);

    /* A second doorbell before the engine is idle */
    vtgpu_nop(&t);
    vtgpu_kick(&t);
    vtgpu_fence(&t, 4, 0);
    vtgpu_writel(&t, VTGPU_REG_RING_TAIL, t.tail);
    vtgpu_writel(&t, VTGPU_REG_DOORBELL, 1);
    g_assert_cmphex(vtgpu_wait_idle(&t), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 4);

    vtgpu_test_stop(&t);
}

typedef struct BadRing {
    const char *name;
    uint64_t base;
    uint32_t size;
    uint32_t tail;
} BadRing;

static const BadRing bad_rings[] = {
    { "size-below-4k", RING_GPA, 2048, 32 },
    { "size-above-1m", RING_GPA, 2 * MiB, 32 },
    { "size-not-power-of-2", RING_GPA, 12 * KiB, 32 },
    { "tail-unaligned", RING_GPA, 4096, 16 },
    { "tail-beyond-size", RING_GPA, 4096, 4096 },
    { "base-wraps", 0xfffffffffffff000ULL, 8192, 32 },
};

static void test_bad_ring(const void *data)
{
    const BadRing *bad = data;
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    qtest_memset(t.qts, RING_GPA, 0, 4096);
    vtgpu_write64(&t, VTGPU_REG_RING_BASE_LO, bad->base);
    vtgpu_writel(&t, VTGPU_REG_RING_SIZE, bad->size);
    vtgpu_writel(&t, VTGPU_REG_RING_TAIL, bad->tail);
    vtgpu_writel(&t, VTGPU_REG_DOORBELL, 1);

    /* BAD_RING is raised by the doorbell write itself */
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_HALTED);
    check_halted(&t, VTGPU_ERR_BAD_RING, 0, 0);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==, 0);

    /* A disabled ring ignores the doorbell */
    vtgpu_engine_reset(&t);
    vtgpu_writel(&t, VTGPU_REG_RING_SIZE, 0);
    vtgpu_writel(&t, VTGPU_REG_DOORBELL, 1);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);

    vtgpu_test_stop(&t);
}

/*
 * NOP, FENCE and interrupts
 */
static void test_nop_fence(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);
    qtest_writeq(t.qts, FENCE_WB_GPA, 0);

    /* NOP ignores its arguments */
    vtgpu_emit(&t, VTGPU_OP_NOP, 0, ~0ULL, ~0ULL, ~0ULL);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);

    /* FENCE without write-back, without IRQ */
    vtgpu_emit(&t, VTGPU_OP_FENCE, 0, 0x1122334455667788ULL, 0, 0);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==,
                    0x1122334455667788ULL);
    g_assert_cmphex(qtest_readq(t.qts, FENCE_WB_GPA), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, 0);

    /* With write-back */
    vtgpu_write64(&t, VTGPU_REG_FENCE_WB_LO, FENCE_WB_GPA);
    vtgpu_fence(&t, 0xaabbccdd00000001ULL, 0);
    vtgpu_run(&t);
    g_assert_cmphex(qtest_readq(t.qts, FENCE_WB_GPA), ==,
                    0xaabbccdd00000001ULL);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, 0);

    /* IRQ flag: INT_STATUS.FENCE even when masked, until INT_ACK */
    vtgpu_fence(&t, 2, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_cmphex(qtest_readq(t.qts, FENCE_WB_GPA), ==, 2);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, VTGPU_INT_FENCE);
    vtgpu_writel(&t, VTGPU_REG_INT_ACK, VTGPU_INT_ERROR);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, VTGPU_INT_FENCE);
    vtgpu_writel(&t, VTGPU_REG_INT_ACK, VTGPU_INT_FENCE);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, 0);

    /* FENCE_WB = 0: no write-back; FENCE args 1 and 2 are ignored */
    vtgpu_write64(&t, VTGPU_REG_FENCE_WB_LO, 0);
    vtgpu_emit(&t, VTGPU_OP_FENCE, 0, 3, ~0ULL, ~0ULL);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 3);
    g_assert_cmphex(qtest_readq(t.qts, FENCE_WB_GPA), ==, 2);

    /* A batch: the last FENCE wins */
    vtgpu_write64(&t, VTGPU_REG_FENCE_WB_LO, FENCE_WB_GPA);
    vtgpu_fence(&t, 10, 0);
    vtgpu_nop(&t);
    vtgpu_fence(&t, 11, 0);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 11);
    g_assert_cmphex(qtest_readq(t.qts, FENCE_WB_GPA), ==, 11);

    vtgpu_test_stop(&t);
}

static void route_intx(VTGPUTest *t)
{
    QPCIDevice *piix3 = qpci_device_find(t->bus, PIIX3_DEVFN);

    g_assert_nonnull(piix3);
    qpci_config_writeb(piix3, PIIX3_PIRQD_ROUTE, VTGPU_INTX_GSI);
    g_free(piix3);
    qtest_irq_intercept_in(t->qts, "ioapic");
}

static bool intx_level(VTGPUTest *t)
{
    return qtest_get_irq(t->qts, VTGPU_INTX_GSI);
}

static void test_irq_intx(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    route_intx(&t);
    vtgpu_ring_setup(&t, 4096);
    g_assert_false(intx_level(&t));

    /* Masked: no interrupt */
    vtgpu_fence(&t, 1, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, VTGPU_INT_FENCE);
    g_assert_false(intx_level(&t));

    /* Unmasking a pending status asserts the level */
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE);
    g_assert_true(intx_level(&t));
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, 0);
    g_assert_false(intx_level(&t));
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE | VTGPU_INT_ERROR);
    g_assert_true(intx_level(&t));
    vtgpu_writel(&t, VTGPU_REG_INT_ACK, VTGPU_INT_FENCE);
    g_assert_false(intx_level(&t));

    /* A FENCE without IRQ flag raises nothing */
    vtgpu_fence(&t, 2, 0);
    vtgpu_run(&t);
    g_assert_false(intx_level(&t));

    /* FENCE with IRQ while enabled */
    vtgpu_fence(&t, 3, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_true(intx_level(&t));
    vtgpu_writel(&t, VTGPU_REG_INT_ACK, VTGPU_INT_FENCE);
    g_assert_false(intx_level(&t));

    /* An error raises ERROR; ENGINE_RESET clears it */
    vtgpu_emit(&t, 42, 0, 0, 0, 0);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_BAD_COMMAND, t.tail - 32, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, VTGPU_INT_ERROR);
    g_assert_true(intx_level(&t));
    vtgpu_engine_reset(&t);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, 0);
    g_assert_false(intx_level(&t));

    vtgpu_test_stop(&t);
}

static uint32_t msi_messages(VTGPUTest *t)
{
    uint32_t data = qtest_readl(t->qts, MSI_GPA);

    qtest_writel(t->qts, MSI_GPA, 0);
    return data;
}

/*
 * Point MSI at guest memory, where the test can see its messages, and
 * enable it; return the capability's offset.
 */
static uint8_t msi_enable(VTGPUTest *t)
{
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0);
    uint16_t flags;

    g_assert_cmphex(cap, !=, 0);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_LO, MSI_GPA);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_HI, 0);
    qpci_config_writew(t->dev, cap + PCI_MSI_DATA_64, 0x4321);
    qtest_writel(t->qts, MSI_GPA, 0);
    flags = qpci_config_readw(t->dev, cap + PCI_MSI_FLAGS);
    qpci_config_writew(t->dev, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
    return cap;
}

static void test_irq_msi(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    route_intx(&t);
    vtgpu_ring_setup(&t, 4096);
    msi_enable(&t);

    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE | VTGPU_INT_ERROR);
    vtgpu_fence(&t, 1, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_cmphex(msi_messages(&t), ==, 0x4321);
    g_assert_false(intx_level(&t));

    /* Set again while still set: no new message */
    vtgpu_fence(&t, 2, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_cmphex(msi_messages(&t), ==, 0);

    /* After INT_ACK, a new message */
    vtgpu_writel(&t, VTGPU_REG_INT_ACK, VTGPU_INT_FENCE);
    vtgpu_fence(&t, 3, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_cmphex(msi_messages(&t), ==, 0x4321);
    vtgpu_writel(&t, VTGPU_REG_INT_ACK, VTGPU_INT_FENCE);

    /* Masked: nothing; unmasking the pending bit sends one */
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, 0);
    vtgpu_fence(&t, 4, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_cmphex(msi_messages(&t), ==, 0);
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE | VTGPU_INT_ERROR);
    g_assert_cmphex(msi_messages(&t), ==, 0x4321);

    /* An error sends one too */
    vtgpu_emit(&t, 42, 0, 0, 0, 0);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_BAD_COMMAND, t.tail - 32, 0);
    g_assert_cmphex(msi_messages(&t), ==, 0x4321);
    g_assert_false(intx_level(&t));

    vtgpu_test_stop(&t);
}

/*
 * An interrupt pending when the driver enables MSI: INTx goes down, and
 * the condition becomes a message.  Disabling MSI raises INTx again.
 */
static void test_irq_msi_enable_pending(void)
{
    VTGPUTest t;
    uint8_t cap;
    uint16_t flags;

    vtgpu_test_start(&t, SMALL_PROPS);
    route_intx(&t);
    vtgpu_ring_setup(&t, 4096);
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE);
    vtgpu_fence(&t, 1, VTGPU_FENCE_IRQ);
    vtgpu_run(&t);
    g_assert_true(intx_level(&t));

    cap = msi_enable(&t);
    g_assert_false(intx_level(&t));
    g_assert_cmphex(msi_messages(&t), ==, 0x4321);

    flags = qpci_config_readw(t.dev, cap + PCI_MSI_FLAGS);
    qpci_config_writew(t.dev, cap + PCI_MSI_FLAGS,
                       flags & ~PCI_MSI_FLAGS_ENABLE);
    g_assert_true(intx_level(&t));
    vtgpu_test_stop(&t);
}

/*
 * COPY and FILL
 */
static void test_copy_vram(void)
{
    const size_t len = 64 * KiB + 3;
    const uint64_t invisible = 6 * MiB + 0x123;
    g_autofree uint8_t *data = g_malloc(len);
    g_autofree uint8_t *buf = g_malloc(len);
    g_autofree uint8_t *expect = g_malloc(8192);
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);

    /* Through invisible VRAM and back */
    fill_data(data, len, 1);
    vram_write(&t, 0x1000, data, len);
    vtgpu_copy(&t, 0x1000, invisible, len);
    vtgpu_run(&t);
    qtest_memset(t.qts, t.vram.addr + 0x1000, 0, len);
    vtgpu_copy(&t, invisible, 0x20001, len);
    vtgpu_run(&t);
    vram_read(&t, 0x20001, buf, len);
    g_assert(memcmp(buf, data, len) == 0);
    assert_vram_bytes(&t, 0x1000, 0, len);

    /* The last bytes of VRAM */
    vtgpu_copy(&t, 0x20001, 8 * MiB - 16, 16);
    vtgpu_copy(&t, 8 * MiB - 16, 0x60000, 16);
    vtgpu_run(&t);
    vram_read(&t, 0x60000, buf, 16);
    g_assert(memcmp(buf, data, 16) == 0);

    /* Overlapping copies behave as memmove, both ways */
    fill_data(expect, 8192, 2);
    vram_write(&t, 0x40000, expect, 8192);
    vtgpu_copy(&t, 0x40000, 0x40010, 4096);
    vtgpu_run(&t);
    memmove(expect + 0x10, expect, 4096);
    vram_read(&t, 0x40000, buf, 8192);
    g_assert(memcmp(buf, expect, 8192) == 0);
    vtgpu_copy(&t, 0x40100, 0x40001, 4096);
    vtgpu_run(&t);
    memmove(expect + 1, expect + 0x100, 4096);
    vram_read(&t, 0x40000, buf, 8192);
    g_assert(memcmp(buf, expect, 8192) == 0);

    vtgpu_test_stop(&t);
}

/*
 * Guest RAM -> VRAM -> guest RAM through GART pages that are not
 * physically contiguous, then through contiguous runs, then GART to GART.
 */
static void test_copy_gart(void)
{
    /* GART page -> guest page, out of order */
    static const uint64_t src_pages[] = { 0x5000, 0x1000, 0x9000 };
    static const uint64_t dst_pages[] = { 0x20000, 0x22000, 0x21000 };
    const size_t len = 3 * PAGE - 0x20;
    const size_t big = 64 * KiB;
    g_autofree uint8_t *data = g_malloc(big);
    g_autofree uint8_t *buf = g_malloc(big);
    VTGPUTest t;
    size_t off;
    int i;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);
    gart_setup(&t);
    qtest_memset(t.qts, DATA_GPA, 0, 0x100000);

    fill_data(data, 3 * PAGE, 3);
    for (i = 0; i < 3; i++) {
        /* the source pages are read-only, which is enough to read */
        gart_set(&t, i, (DATA_GPA + src_pages[i]) | VTGPU_GART_VALID);
        qtest_memwrite(t.qts, DATA_GPA + src_pages[i], data + i * PAGE, PAGE);
        gart_set(&t, 8 + i, (DATA_GPA + dst_pages[i]) | GART_RW);
    }

    /* Unaligned start and size across the three pages */
    vtgpu_copy(&t, G + 0x10, 0x3000, len);
    vtgpu_run(&t);
    vram_read(&t, 0x3000, buf, len);
    g_assert(memcmp(buf, data + 0x10, len) == 0);

    vtgpu_copy(&t, 0x3000, G + 8 * PAGE + 0x10, len);
    vtgpu_run(&t);
    for (i = 0; i < 3; i++) {
        qtest_memread(t.qts, DATA_GPA + dst_pages[i], buf, PAGE);
        for (off = 0; off < PAGE; off++) {
            size_t pos = i * PAGE + off;
            uint8_t expect = pos >= 0x10 && pos < 0x10 + len ? data[pos] : 0;

            g_assert_cmphex(buf[off], ==, expect);
        }
    }
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_BYTES_LO), ==, 2 * len);

    /* Contiguous runs: 16 pages each way, then GART to GART */
    fill_data(data, big, 4);
    qtest_memwrite(t.qts, DATA_GPA + 0x40000, data, big);
    for (i = 0; i < 16; i++) {
        gart_set(&t, 16 + i, (DATA_GPA + 0x40000 + i * PAGE) | GART_RW);
        gart_set(&t, 32 + i, (DATA_GPA + 0x80000 + i * PAGE) | GART_RW);
        /* the pages of the third buffer in reverse order */
        gart_set(&t, 48 + i, (DATA_GPA + 0xc0000 + (15 - i) * PAGE) |
                 GART_RW);
    }
    vtgpu_copy(&t, G + 16 * PAGE, 0x100000, big);
    vtgpu_copy(&t, 0x100000, G + 32 * PAGE, big);
    vtgpu_copy(&t, G + 32 * PAGE, G + 48 * PAGE, big);
    vtgpu_run(&t);
    qtest_memread(t.qts, DATA_GPA + 0x80000, buf, big);
    g_assert(memcmp(buf, data, big) == 0);
    for (i = 0; i < 16; i++) {
        qtest_memread(t.qts, DATA_GPA + 0xc0000 + (15 - i) * PAGE, buf, PAGE);
        g_assert(memcmp(buf, data + i * PAGE, PAGE) == 0);
    }

    /* A GART page may map visible VRAM (BAR2): it is RAM */
    gart_set(&t, 64, (t.vram.addr + 0x200000) | GART_RW);
    vtgpu_copy(&t, G + 16 * PAGE, G + 64 * PAGE, PAGE);
    vtgpu_run(&t);
    vram_read(&t, 0x200000, buf, PAGE);
    g_assert(memcmp(buf, data, PAGE) == 0);

    vtgpu_test_stop(&t);
}

static void test_fill(void)
{
    static const uint8_t pattern[] = { 0x44, 0x33, 0x22, 0x11 };
    uint8_t buf[0x110];
    VTGPUTest t;
    int i;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);
    gart_setup(&t);

    /* VRAM, at an unaligned address */
    qtest_memset(t.qts, t.vram.addr, 0xee, 0x2000);
    vtgpu_fill(&t, 0x1001, 0x100, 0x11223344);
    vtgpu_run(&t);
    vram_read(&t, 0x1000, buf, sizeof(buf));
    g_assert_cmphex(buf[0], ==, 0xee);
    for (i = 0; i < 0x100; i++) {
        g_assert_cmphex(buf[1 + i], ==, pattern[i % 4]);
    }
    g_assert_cmphex(buf[0x101], ==, 0xee);

    /* GART, across two discontiguous pages, split inside a pattern */
    qtest_memset(t.qts, DATA_GPA, 0xee, 0x10000);
    gart_set(&t, 0, (DATA_GPA + 0x8000) | GART_RW);
    gart_set(&t, 1, (DATA_GPA + 0x2000) | GART_RW);
    vtgpu_fill(&t, G + PAGE - 2, 8, 0x11223344);
    vtgpu_run(&t);
    qtest_memread(t.qts, DATA_GPA + 0x8000 + PAGE - 3, buf, 3);
    g_assert_cmphex(buf[0], ==, 0xee);
    g_assert_cmphex(buf[1], ==, 0x44);
    g_assert_cmphex(buf[2], ==, 0x33);
    qtest_memread(t.qts, DATA_GPA + 0x2000, buf, 7);
    for (i = 0; i < 6; i++) {
        g_assert_cmphex(buf[i], ==, pattern[(i + 2) % 4]);
    }
    g_assert_cmphex(buf[6], ==, 0xee);

    /* 1 MiB of invisible VRAM, checked after a copy back */
    vtgpu_fill(&t, 6 * MiB, 1 * MiB, 0xa5a5a5a5);
    vtgpu_copy(&t, 6 * MiB, 0, 1 * MiB);
    vtgpu_run(&t);
    assert_vram_bytes(&t, 0, 0xa5, 1 * MiB);
    assert_vram_bytes(&t, 1 * MiB, 0, 16);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_BYTES_LO), ==,
                     0x100 + 8 + 2 * MiB);

    vtgpu_test_stop(&t);
}

/*
 * Errors: every bad command halts the engine with the documented
 * registers and writes nothing.  Each case runs NOP, NOP, then the bad
 * command, on a device with this GART:
 */
enum {
    ERR_PAGE_RW0,           /* DATA + 0x0000, writable */
    ERR_PAGE_RW1,           /* DATA + 0x3000, writable */
    ERR_PAGE_INVALID,       /* not valid */
    ERR_PAGE_RO,            /* DATA + 0x5000, read-only */
    ERR_PAGE_NO_RAM,        /* nothing there */
    ERR_PAGE_RESERVED_LOW,  /* DATA + 0x6000, reserved bit 2 */
    ERR_PAGE_MMIO,          /* BAR0 of the device */
    ERR_PAGE_RW7,           /* DATA + 0x7000, writable */
    ERR_PAGE_RESERVED_HIGH, /* DATA + 0x8000, reserved bit 11 */
    ERR_PAGE_ROM,           /* the BIOS, writable entry */
};

#define ERR_SENTINEL_VRAM   0xa5
#define ERR_SENTINEL_GUEST  0x5a
#define ERR_SENTINEL_SIZE   0x10000
/* ERROR_ADDR relative to BAR0 of the device */
#define ERR_ADDR_MMIO       0xb0b0000000000000ULL
#define ERR_ADDR_MMIO_MASK  0xffff000000000000ULL

typedef struct ErrorCase {
    const char *name;
    uint32_t opcode;
    uint32_t flags;
    uint64_t arg0, arg1, arg2;
    uint32_t code;
    uint64_t addr;
    void (*setup)(VTGPUTest *t);
} ErrorCase;

static void setup_no_gart_table(VTGPUTest *t)
{
    vtgpu_write64(t, VTGPU_REG_GART_TABLE_LO, 0);
}

static void setup_gart_table_no_ram(VTGPUTest *t)
{
    vtgpu_write64(t, VTGPU_REG_GART_TABLE_LO, NO_RAM_GPA);
}

static void setup_fence_wb_no_ram(VTGPUTest *t)
{
    vtgpu_write64(t, VTGPU_REG_FENCE_WB_LO, NO_RAM_GPA);
}

static void setup_fence_wb_mmio(VTGPUTest *t)
{
    /* ENGINE_RESET: must never be written by the engine */
    vtgpu_write64(t, VTGPU_REG_FENCE_WB_LO,
                  t->mmio.addr + VTGPU_REG_ENGINE_RESET - 4);
}

static const ErrorCase error_cases[] = {
    { "bad-opcode", 4, 0, 0, 0, 0, VTGPU_ERR_BAD_COMMAND, 0 },
    { "bad-opcode-high", 0x80000001, 0, 0, 0, 0, VTGPU_ERR_BAD_COMMAND, 0 },
    { "nop-flags", VTGPU_OP_NOP, 1, 0, 0, 0, VTGPU_ERR_BAD_COMMAND, 0 },
    { "copy-flags",
      VTGPU_OP_COPY, 0x80000000, 0, 0x1000, 16, VTGPU_ERR_BAD_COMMAND, 0 },
    { "fill-flags", VTGPU_OP_FILL, 1, 0, 16, 0x1234, VTGPU_ERR_BAD_COMMAND, 0 },
    { "fill-pattern-high",
      VTGPU_OP_FILL, 0, 0, 16, 1ULL << 32, VTGPU_ERR_BAD_COMMAND, 0 },
    { "fence-flags", VTGPU_OP_FENCE, 2, 1, 0, 0, VTGPU_ERR_BAD_COMMAND, 0 },
    { "copy-size-0", VTGPU_OP_COPY, 0, 0, 0x1000, 0, VTGPU_ERR_BAD_SIZE, 0 },
    { "fill-size-0", VTGPU_OP_FILL, 0, 0, 0, 0x1234, VTGPU_ERR_BAD_SIZE, 0 },
    { "fill-size-6", VTGPU_OP_FILL, 0, 0, 6, 0x1234, VTGPU_ERR_BAD_SIZE, 0 },
    {
        "copy-src-past-vram", VTGPU_OP_COPY, 0, 8 * MiB - 8, 0x1000, 16,
        VTGPU_ERR_BAD_ADDRESS, 8 * MiB - 8,
    }, {
        "copy-dst-past-vram", VTGPU_OP_COPY, 0, 0x1000, 8 * MiB - 8, 16,
        VTGPU_ERR_BAD_ADDRESS, 8 * MiB - 8,
    }, {
        "copy-dst-hole", VTGPU_OP_COPY, 0, 0x1000, 1ULL << 39, 16,
        VTGPU_ERR_BAD_ADDRESS, 1ULL << 39,
    }, {
        "copy-src-below-gart", VTGPU_OP_COPY, 0, G - 8, 0x1000, 16,
        VTGPU_ERR_BAD_ADDRESS, G - 8,
    }, {
        "copy-src-past-gart", VTGPU_OP_COPY, 0, G + 1 * MiB - 8, 0x1000, 16,
        VTGPU_ERR_BAD_ADDRESS, G + 1 * MiB - 8,
    }, {
        "copy-wraps", VTGPU_OP_COPY, 0, -8ULL, 0x1000, 16,
        VTGPU_ERR_BAD_ADDRESS, -8ULL,
    }, {
        "copy-huge", VTGPU_OP_COPY, 0, 0, 0x1000, -1ULL,
        VTGPU_ERR_BAD_ADDRESS, 0,
    }, {
        "fill-past-gart", VTGPU_OP_FILL, 0, G + 1 * MiB - 4, 8, 0,
        VTGPU_ERR_BAD_ADDRESS, G + 1 * MiB - 4,
    }, {
        "gart-invalid", VTGPU_OP_COPY, 0, G + 2 * PAGE - 0x10, 0x1000, 0x20,
        VTGPU_ERR_GART_FAULT, G + ERR_PAGE_INVALID * PAGE,
    }, {
        "gart-invalid-first", VTGPU_OP_COPY, 0, G + 2 * PAGE + 0x10, 0x1000, 16,
        VTGPU_ERR_GART_FAULT, G + 2 * PAGE + 0x10,
    }, {
        /* the first page would be writable: nothing is written to it */
        "gart-invalid-dst", VTGPU_OP_COPY, 0, 0x1000, G + PAGE, 2 * PAGE,
        VTGPU_ERR_GART_FAULT, G + 2 * PAGE,
    }, {
        "gart-reserved-low", VTGPU_OP_COPY, 0, G + 5 * PAGE, 0x1000, 16,
        VTGPU_ERR_GART_FAULT, G + 5 * PAGE,
    }, {
        "gart-reserved-high", VTGPU_OP_FILL, 0, G + 8 * PAGE, 16, 0,
        VTGPU_ERR_GART_FAULT, G + 8 * PAGE,
    }, {
        "gart-no-table", VTGPU_OP_COPY, 0, G + 0x10, 0x1000, 16,
        VTGPU_ERR_GART_FAULT, G + 0x10, setup_no_gart_table,
    }, {
        "gart-readonly-copy", VTGPU_OP_COPY, 0, 0x1000, G + 3 * PAGE, 16,
        VTGPU_ERR_GART_READONLY, G + 3 * PAGE,
    }, {
        "gart-readonly-fill", VTGPU_OP_FILL, 0, G + 3 * PAGE + 0xff8, 16, 0,
        VTGPU_ERR_GART_READONLY, G + 3 * PAGE + 0xff8,
    }, {
        "dma-no-ram-src", VTGPU_OP_COPY, 0, G + 4 * PAGE + 0x10, 0x1000, 16,
        VTGPU_ERR_DMA_ERROR, NO_RAM_GPA + 0x10,
    }, {
        "dma-no-ram-dst", VTGPU_OP_FILL, 0, G + 4 * PAGE, 16, 0,
        VTGPU_ERR_DMA_ERROR, NO_RAM_GPA,
    }, {
        "dma-mmio-src", VTGPU_OP_COPY, 0, G + 6 * PAGE, 0x1000, 16,
        VTGPU_ERR_DMA_ERROR, ERR_ADDR_MMIO,
    }, {
        /* would ring the doorbell, from the engine */
        "dma-mmio-dst", VTGPU_OP_COPY, 0, 0x1000, G + 6 * PAGE + 0x94, 4,
        VTGPU_ERR_DMA_ERROR, ERR_ADDR_MMIO + 0x94,
    }, {
        "dma-rom-dst", VTGPU_OP_COPY, 0, 0x1000, G + 9 * PAGE, 16,
        VTGPU_ERR_DMA_ERROR, ROM_GPA,
    }, {
        "dma-gart-table", VTGPU_OP_COPY, 0, G + PAGE, 0x1000, 16,
        VTGPU_ERR_DMA_ERROR, NO_RAM_GPA + 8, setup_gart_table_no_ram,
    }, {
        "dma-fence-wb", VTGPU_OP_FENCE, 0, 5, 0, 0,
        VTGPU_ERR_DMA_ERROR, NO_RAM_GPA, setup_fence_wb_no_ram,
    }, {
        "dma-fence-wb-mmio", VTGPU_OP_FENCE, 0, 5, 0, 0,
        VTGPU_ERR_DMA_ERROR, ERR_ADDR_MMIO + VTGPU_REG_ENGINE_RESET - 4,
        setup_fence_wb_mmio,
    },
};

static void test_error(const void *data)
{
    const ErrorCase *c = data;
    uint64_t addr = c->addr;
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);
    gart_setup(&t);
    qtest_memset(t.qts, TABLE_GPA, 0, PAGE);
    gart_set(&t, ERR_PAGE_RW0, (DATA_GPA + 0x0000) | GART_RW);
    gart_set(&t, ERR_PAGE_RW1, (DATA_GPA + 0x3000) | GART_RW);
    gart_set(&t, ERR_PAGE_RO, (DATA_GPA + 0x5000) | VTGPU_GART_VALID);
    gart_set(&t, ERR_PAGE_NO_RAM, NO_RAM_GPA | GART_RW);
    gart_set(&t, ERR_PAGE_RESERVED_LOW, (DATA_GPA + 0x6000) | GART_RW | 4);
    gart_set(&t, ERR_PAGE_MMIO, t.mmio.addr | GART_RW);
    gart_set(&t, ERR_PAGE_RW7, (DATA_GPA + 0x7000) | GART_RW);
    gart_set(&t, ERR_PAGE_RESERVED_HIGH,
             (DATA_GPA + 0x8000) | GART_RW | (1 << 11));
    gart_set(&t, ERR_PAGE_ROM, ROM_GPA | GART_RW);
    qtest_memset(t.qts, t.vram.addr, ERR_SENTINEL_VRAM, ERR_SENTINEL_SIZE);
    qtest_memset(t.qts, DATA_GPA, ERR_SENTINEL_GUEST, ERR_SENTINEL_SIZE);
    if (c->setup) {
        c->setup(&t);
    }
    if ((addr & ERR_ADDR_MMIO_MASK) == ERR_ADDR_MMIO) {
        addr = t.mmio.addr + (addr & ~ERR_ADDR_MMIO_MASK);
    }

    vtgpu_nop(&t);
    vtgpu_nop(&t);
    vtgpu_emit(&t, c->opcode, c->flags, c->arg0, c->arg1, c->arg2);
    vtgpu_kick(&t);
    check_halted(&t, c->code, 64, addr);

    /* Nothing was written */
    assert_vram_bytes(&t, 0, ERR_SENTINEL_VRAM, ERR_SENTINEL_SIZE);
    assert_guest_bytes(&t, DATA_GPA, ERR_SENTINEL_GUEST, ERR_SENTINEL_SIZE);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==, 2);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_BYTES_LO), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, VTGPU_INT_ERROR);

    /* The doorbell does not restart a halted engine */
    vtgpu_writel(&t, VTGPU_REG_DOORBELL, 1);
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_HALTED);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 64);

    /* ENGINE_RESET recovers */
    vtgpu_engine_reset(&t);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);
    vtgpu_nop(&t);
    vtgpu_run(&t);

    vtgpu_test_stop(&t);
}

/* The ring itself is not in RAM */
static void test_error_ring_no_ram(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_write64(&t, VTGPU_REG_RING_BASE_LO, NO_RAM_GPA);
    vtgpu_writel(&t, VTGPU_REG_RING_SIZE, 4096);
    vtgpu_writel(&t, VTGPU_REG_RING_TAIL, 64);
    vtgpu_writel(&t, VTGPU_REG_DOORBELL, 1);
    check_halted(&t, VTGPU_ERR_DMA_ERROR, 0, NO_RAM_GPA);
    vtgpu_test_stop(&t);
}

/* Without bus mastering, the engine cannot read the ring */
static void test_error_bus_master(void)
{
    VTGPUTest t;
    uint16_t cmd;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);
    vtgpu_nop(&t);
    vtgpu_run(&t);

    cmd = qpci_config_readw(t.dev, PCI_COMMAND);
    qpci_config_writew(t.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    vtgpu_nop(&t);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_DMA_ERROR, 32, RING_GPA + 32);

    qpci_config_writew(t.dev, PCI_COMMAND, cmd);
    vtgpu_engine_reset(&t);
    vtgpu_nop(&t);
    vtgpu_run(&t);
    vtgpu_test_stop(&t);
}

/*
 * ENGINE_RESET, injection, delay
 */
static void test_engine_reset(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 8192);
    vtgpu_write64(&t, VTGPU_REG_FENCE_WB_LO, FENCE_WB_GPA);
    gart_setup(&t);
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE | VTGPU_INT_ERROR);
    vtgpu_writel(&t, VTGPU_REG_ENGINE_DELAY_US, 0);

    vtgpu_fence(&t, 5, VTGPU_FENCE_IRQ);
    vtgpu_nop(&t);
    vtgpu_emit(&t, 0x77, 0, 0, 0, 0);
    vtgpu_fence(&t, 6, 0);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_BAD_COMMAND, 64, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==,
                    VTGPU_INT_FENCE | VTGPU_INT_ERROR);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 5);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_TAIL), ==, 128);

    /* A write without bit 0 does nothing */
    vtgpu_writel(&t, VTGPU_REG_ENGINE_RESET, 2);
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_HALTED);

    vtgpu_engine_reset(&t);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);
    g_assert_cmpuint(vtgpu_readl(&t, VTGPU_REG_ERROR_CODE), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_ERROR_HEAD), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_ERROR_ADDR_LO), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_TAIL), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_RING_BASE_LO), ==, RING_GPA);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_SIZE), ==, 8192);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_GART_TABLE_LO), ==, TABLE_GPA);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_WB_LO), ==,
                    FENCE_WB_GPA);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 5);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, VTGPU_INT_FENCE);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_MASK), ==,
                    VTGPU_INT_FENCE | VTGPU_INT_ERROR);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==, 2);

    /* The engine starts again at ring offset 0 */
    vtgpu_fence(&t, 7, 0);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 7);
    g_assert_cmphex(qtest_readq(t.qts, FENCE_WB_GPA), ==, 7);

    vtgpu_test_stop(&t);
}

static void test_inject_fail_next(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);

    /* Fires on the next command, whatever it is */
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_FAIL_NEXT);
    g_assert_cmpuint(vtgpu_readl(&t, VTGPU_REG_INJECT), ==,
                     VTGPU_INJECT_FAIL_NEXT);
    vtgpu_fence(&t, 1, 0);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_INJECTED, 0, 0);
    g_assert_cmpuint(vtgpu_readl(&t, VTGPU_REG_INJECT), ==, VTGPU_INJECT_NONE);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);

    /* Once only */
    vtgpu_engine_reset(&t);
    vtgpu_fence(&t, 2, 0);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 2);

    /* In the middle of a batch */
    vtgpu_nop(&t);
    vtgpu_kick(&t);
    vtgpu_wait_idle(&t);
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_FAIL_NEXT);
    vtgpu_nop(&t);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_INJECTED, 64, 0);

    /* Cancelled by writing NONE; unknown values are ignored */
    vtgpu_engine_reset(&t);
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_FAIL_NEXT);
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_NONE);
    vtgpu_writel(&t, VTGPU_REG_INJECT, 3);
    g_assert_cmpuint(vtgpu_readl(&t, VTGPU_REG_INJECT), ==, VTGPU_INJECT_NONE);
    vtgpu_nop(&t);
    vtgpu_run(&t);

    vtgpu_test_stop(&t);
}

static void test_inject_hang(void)
{
    VTGPUTest t;
    int i;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 4096);
    vtgpu_writel(&t, VTGPU_REG_INT_MASK, VTGPU_INT_FENCE | VTGPU_INT_ERROR);

    /* Hangs at once, even idle */
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_HANG);
    g_assert_cmphex(vtgpu_status(&t), ==,
                    VTGPU_STATUS_BUSY | VTGPU_STATUS_HUNG);
    vtgpu_fence(&t, 1, VTGPU_FENCE_IRQ);
    vtgpu_kick(&t);
    for (i = 0; i < 100; i++) {
        g_assert_cmphex(vtgpu_status(&t), ==,
                        VTGPU_STATUS_BUSY | VTGPU_STATUS_HUNG);
    }
    qtest_clock_step(t.qts, 1000 * 1000 * 1000);
    g_assert_cmphex(vtgpu_status(&t), ==,
                    VTGPU_STATUS_BUSY | VTGPU_STATUS_HUNG);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_INT_STATUS), ==, 0);

    /* Writes to INJECT are ignored until ENGINE_RESET */
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_NONE);
    g_assert_cmpuint(vtgpu_readl(&t, VTGPU_REG_INJECT), ==, VTGPU_INJECT_HANG);

    vtgpu_engine_reset(&t);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);
    g_assert_cmpuint(vtgpu_readl(&t, VTGPU_REG_INJECT), ==, VTGPU_INJECT_NONE);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);
    vtgpu_fence(&t, 2, 0);
    vtgpu_run(&t);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 2);

    /* A delayed command in flight does not complete either */
    vtgpu_writel(&t, VTGPU_REG_ENGINE_DELAY_US, 1000);
    vtgpu_fence(&t, 3, 0);
    vtgpu_kick(&t);
    qtest_clock_step(t.qts, 500 * 1000);
    vtgpu_writel(&t, VTGPU_REG_INJECT, VTGPU_INJECT_HANG);
    qtest_clock_step(t.qts, 10 * 1000 * 1000);
    g_assert_cmphex(vtgpu_status(&t), ==,
                    VTGPU_STATUS_BUSY | VTGPU_STATUS_HUNG);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 2);

    vtgpu_test_stop(&t);
}

static void test_delay(void)
{
    const int64_t us = 1000;
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS ",engine-delay-us=500");
    g_assert_cmpuint(vtgpu_readl(&t, VTGPU_REG_ENGINE_DELAY_US), ==, 500);
    vtgpu_ring_setup(&t, 4096);

    vtgpu_fence(&t, 1, 0);
    vtgpu_fence(&t, 2, 0);
    vtgpu_kick(&t);
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_BUSY);
    qtest_clock_step(t.qts, 499 * us);
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_BUSY);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);
    qtest_clock_step(t.qts, 1 * us);
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_BUSY);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 32);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 1);
    qtest_clock_step(t.qts, 500 * us);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 64);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 2);

    /* Three commands complete in one step of three delays */
    vtgpu_nop(&t);
    vtgpu_nop(&t);
    vtgpu_fence(&t, 3, 0);
    vtgpu_kick(&t);
    qtest_clock_step(t.qts, 1500 * us);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 3);

    /* ENGINE_RESET abandons the delayed command in flight */
    vtgpu_fence(&t, 4, 0);
    vtgpu_kick(&t);
    qtest_clock_step(t.qts, 250 * us);
    vtgpu_engine_reset(&t);
    g_assert_cmphex(vtgpu_status(&t), ==, 0);
    qtest_clock_step(t.qts, 1000 * us);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 3);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);

    /* A new delay applies to the commands started after the write */
    vtgpu_writel(&t, VTGPU_REG_ENGINE_DELAY_US, 2000);
    vtgpu_fence(&t, 5, 0);
    vtgpu_kick(&t);
    qtest_clock_step(t.qts, 1999 * us);
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_BUSY);
    vtgpu_writel(&t, VTGPU_REG_ENGINE_DELAY_US, 0);
    vtgpu_fence(&t, 6, 0);
    vtgpu_kick(&t);
    qtest_clock_step(t.qts, 1 * us);
    g_assert_cmphex(vtgpu_wait_idle(&t), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 6);

    /* Errors are found when the delay ends */
    vtgpu_writel(&t, VTGPU_REG_ENGINE_DELAY_US, 100);
    vtgpu_emit(&t, 9, 0, 0, 0, 0);
    vtgpu_kick(&t);
    g_assert_cmphex(vtgpu_status(&t), ==, VTGPU_STATUS_BUSY);
    qtest_clock_step(t.qts, 100 * us);
    check_halted(&t, VTGPU_ERR_BAD_COMMAND, 64, 0);

    vtgpu_test_stop(&t);
}

/*
 * Statistics, and many commands: more than the engine's budget for one
 * run, wrapping around the ring.
 */
static void test_stats(void)
{
    VTGPUTest t;
    int i;

    vtgpu_test_start(&t, SMALL_PROPS);
    vtgpu_ring_setup(&t, 8192);

    vtgpu_copy(&t, 0, 0x1000, 100);
    vtgpu_fill(&t, 0x2000, 64, 0);
    vtgpu_nop(&t);
    vtgpu_fence(&t, 1, 0);
    vtgpu_run(&t);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==, 4);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_BYTES_LO), ==, 164);

    /* Failed commands do not count; ENGINE_RESET keeps the counts */
    vtgpu_copy(&t, 0, 1ULL << 39, 100);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_BAD_ADDRESS, 128, 1ULL << 39);
    vtgpu_engine_reset(&t);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==, 4);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_BYTES_LO), ==, 164);

    for (i = 0; i < 200; i++) {
        vtgpu_copy(&t, 0, 0x100000, 64 * KiB);
    }
    vtgpu_fence(&t, 2, 0);
    vtgpu_run(&t);
    for (i = 0; i < 250; i++) {
        vtgpu_nop(&t);
    }
    vtgpu_run(&t);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==,
                     4 + 201 + 250);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_BYTES_LO), ==,
                     164 + 200 * 64 * KiB);

    vtgpu_test_stop(&t);
}

/*
 * Migration: VRAM (visible and not) and the engine state move to a
 * second QEMU.
 */
/* Wait until the migration of @qts is over; return its status */
static char *vtgpu_migration_wait(QTestState *qts, char **error)
{
    for (;;) {
        QDict *rsp = qtest_qmp(qts, "{'execute': 'query-migrate'}");
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *status = qdict_get_try_str(ret, "status");

        if (status && (!strcmp(status, "completed") ||
                       !strcmp(status, "failed"))) {
            char *result = g_strdup(status);

            if (error) {
                *error = g_strdup(qdict_get_try_str(ret, "error-desc"));
            }
            qobject_unref(rsp);
            return result;
        }
        qobject_unref(rsp);
        g_usleep(1000);
    }
}

/*
 * Migrate @src to a new QEMU, @dst; with @paused, the destination is
 * started with -S and stays paused after the migration.
 */
static void vtgpu_migrate_to(VTGPUTest *src, VTGPUTest *dst,
                             const char *props, bool paused)
{
    g_autofree char *path = g_strdup_printf("%s/vtgpu-migration-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("unix:%s", path);
    g_autofree char *src_status = NULL, *dst_status = NULL;
    QTestState *to;

    to = qtest_initf("-nodefaults -device vtgpu,addr=%02x.0%s -incoming %s%s",
                     VTGPU_SLOT, props, uri, paused ? " -S" : "");
    /*
     * Under qtest, the virtual clock does not migrate: set it as a real
     * migration would, so that timers expire at the same guest time
     * (clock_step reads it, and must advance it: by 1 ns).
     */
    qtest_clock_set(to, qtest_clock_step(src->qts, 1));
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate',"
                             " 'arguments': {'uri': %s}}", uri);
    src_status = vtgpu_migration_wait(src->qts, NULL);
    g_assert_cmpstr(src_status, ==, "completed");
    if (paused) {
        dst_status = vtgpu_migration_wait(to, NULL);
        g_assert_cmpstr(dst_status, ==, "completed");
    } else {
        qtest_qmp_eventwait(to, "RESUME");
    }
    unlink(path);

    /* the mappings of the source's BARs came with the PCI state */
    vtgpu_test_attach(dst, to, VTGPU_DEVFN);
    g_assert_cmphex(dst->mmio.addr, ==, src->mmio.addr);
    g_assert_cmphex(dst->vram.addr, ==, src->vram.addr);
    dst->ring_size = src->ring_size;
    dst->tail = src->tail;
}

static void vtgpu_migrate(VTGPUTest *src, VTGPUTest *dst, const char *props)
{
    vtgpu_migrate_to(src, dst, props, false);
}

static void test_migration_running(void)
{
    const size_t len = 64 * KiB;
    g_autofree uint8_t *data = g_malloc(len);
    g_autofree uint8_t *buf = g_malloc(len);
    VTGPUTest src, dst;

    vtgpu_test_start(&src, SMALL_PROPS);
    vtgpu_ring_setup(&src, 8192);
    gart_setup(&src);
    vtgpu_write64(&src, VTGPU_REG_FENCE_WB_LO, FENCE_WB_GPA);

    /* VRAM: visible data, and a copy of it in invisible VRAM */
    fill_data(data, len, 7);
    vram_write(&src, 0x10000, data, len);
    vtgpu_copy(&src, 0x10000, 7 * MiB, len);
    vtgpu_fence(&src, 41, VTGPU_FENCE_IRQ);
    vtgpu_run(&src);
    qtest_memset(src.qts, src.vram.addr + 0x10000, 0, len);

    /* A delayed FENCE in flight, and a pending injection */
    vtgpu_writel(&src, VTGPU_REG_INT_MASK, VTGPU_INT_ERROR);
    vtgpu_writel(&src, VTGPU_REG_ENGINE_DELAY_US, 700);
    vtgpu_fence(&src, 42, 0);
    vtgpu_kick(&src);
    qtest_clock_step(src.qts, 300 * 1000);
    vtgpu_writel(&src, VTGPU_REG_INJECT, VTGPU_INJECT_FAIL_NEXT);
    g_assert_cmphex(vtgpu_status(&src), ==, VTGPU_STATUS_BUSY);

    vtgpu_migrate(&src, &dst, SMALL_PROPS);
    vtgpu_test_stop(&src);

    g_assert_cmphex(vtgpu_status(&dst), ==, VTGPU_STATUS_BUSY);
    g_assert_cmphex(vtgpu_read64(&dst, VTGPU_REG_RING_BASE_LO), ==, RING_GPA);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_RING_SIZE), ==, 8192);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_RING_HEAD), ==, 64);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_RING_TAIL), ==, 96);
    g_assert_cmphex(vtgpu_read64(&dst, VTGPU_REG_GART_TABLE_LO), ==,
                    TABLE_GPA);
    g_assert_cmphex(vtgpu_read64(&dst, VTGPU_REG_FENCE_WB_LO), ==,
                    FENCE_WB_GPA);
    g_assert_cmphex(vtgpu_read64(&dst, VTGPU_REG_FENCE_SEQNO_LO), ==, 41);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_INT_STATUS), ==,
                    VTGPU_INT_FENCE);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_INT_MASK), ==, VTGPU_INT_ERROR);
    g_assert_cmpuint(vtgpu_readl(&dst, VTGPU_REG_INJECT), ==,
                     VTGPU_INJECT_FAIL_NEXT);
    g_assert_cmpuint(vtgpu_readl(&dst, VTGPU_REG_ENGINE_DELAY_US), ==, 700);
    g_assert_cmpuint(vtgpu_read64(&dst, VTGPU_REG_STAT_COMMANDS_LO), ==, 2);
    g_assert_cmpuint(vtgpu_read64(&dst, VTGPU_REG_STAT_BYTES_LO), ==, len);

    /* The delayed FENCE completes on the destination, on time */
    vtgpu_writel(&dst, VTGPU_REG_INJECT, VTGPU_INJECT_NONE);
    qtest_clock_step(dst.qts, 399 * 1000);
    g_assert_cmphex(vtgpu_status(&dst), ==, VTGPU_STATUS_BUSY);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_RING_HEAD), ==, 64);
    qtest_clock_step(dst.qts, 1 * 1000);
    g_assert_cmphex(vtgpu_status(&dst), ==, 0);
    g_assert_cmphex(vtgpu_read64(&dst, VTGPU_REG_FENCE_SEQNO_LO), ==, 42);
    g_assert_cmphex(qtest_readq(dst.qts, FENCE_WB_GPA), ==, 42);

    /* Invisible VRAM came along */
    vtgpu_writel(&dst, VTGPU_REG_ENGINE_DELAY_US, 0);
    vtgpu_copy(&dst, 7 * MiB, 0x10000, len);
    vtgpu_run(&dst);
    vram_read(&dst, 0x10000, buf, len);
    g_assert(memcmp(buf, data, len) == 0);

    vtgpu_test_stop(&dst);
}

static void test_migration_halted(void)
{
    VTGPUTest src, dst;

    vtgpu_test_start(&src, SMALL_PROPS);
    vtgpu_ring_setup(&src, 4096);
    gart_setup(&src);
    qpci_io_writel(src.dev, src.vram, 0x3000, 0x600dcafe);
    vtgpu_writel(&src, VTGPU_REG_INT_MASK, VTGPU_INT_ERROR);
    vtgpu_nop(&src);
    vtgpu_copy(&src, 0x3000, G + 5 * PAGE + 8, 4);
    vtgpu_kick(&src);
    check_halted(&src, VTGPU_ERR_GART_FAULT, 32, G + 5 * PAGE + 8);
    vtgpu_writel(&src, VTGPU_REG_INJECT, VTGPU_INJECT_HANG);

    vtgpu_migrate(&src, &dst, SMALL_PROPS);
    vtgpu_test_stop(&src);

    g_assert_cmphex(vtgpu_status(&dst), ==,
                    VTGPU_STATUS_BUSY | VTGPU_STATUS_HALTED |
                    VTGPU_STATUS_HUNG);
    g_assert_cmpuint(vtgpu_readl(&dst, VTGPU_REG_ERROR_CODE), ==,
                     VTGPU_ERR_GART_FAULT);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_ERROR_HEAD), ==, 32);
    g_assert_cmphex(vtgpu_read64(&dst, VTGPU_REG_ERROR_ADDR_LO), ==,
                    G + 5 * PAGE + 8);
    g_assert_cmphex(vtgpu_readl(&dst, VTGPU_REG_INT_STATUS), ==,
                    VTGPU_INT_ERROR);
    g_assert_cmphex(qpci_io_readl(dst.dev, dst.vram, 0x3000), ==, 0x600dcafe);

    /* and it recovers there */
    vtgpu_engine_reset(&dst);
    g_assert_cmphex(vtgpu_status(&dst), ==, 0);
    gart_set(&dst, 5, (DATA_GPA + 0x5000) | GART_RW);
    vtgpu_copy(&dst, 0x3000, G + 5 * PAGE + 8, 4);
    vtgpu_run(&dst);
    g_assert_cmphex(qtest_readl(dst.qts, DATA_GPA + 0x5008), ==, 0x600dcafe);

    vtgpu_test_stop(&dst);
}

/*
 * A migration stream is input too: the destination checks what it loads.
 * The source's register, a marker value, is made unaligned in the stream
 * (a big-endian u64 there): an unaligned GART_TABLE made the GART walk
 * read 0 entries at a time, forever, with the BQL held; an unaligned
 * MM_INDEX would reach past the end of VRAM.
 */
#define STREAM_MARK 0x5a5a5a5a5a5a5000ULL

typedef struct UnalignedReg {
    uint32_t reg_lo;
    const char *name;
} UnalignedReg;

static const UnalignedReg unaligned_regs[] = {
    { VTGPU_REG_GART_TABLE_LO, "GART_TABLE" },
    { VTGPU_REG_MM_INDEX_LO, "MM_INDEX" },
};

static void test_migration_unaligned(const void *data)
{
    const UnalignedReg *reg = data;
    g_autofree char *path = g_strdup_printf("%s/vtgpu-stream-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_autofree char *status = NULL, *error = NULL;
    g_autofree gchar *stream = NULL;
    gsize len, i, found = 0;
    uint8_t mark[8];
    QTestState *to;
    VTGPUTest src;

    vtgpu_test_start(&src, SMALL_PROPS);
    vtgpu_write64(&src, reg->reg_lo, STREAM_MARK);
    qtest_qmp_assert_success(src.qts, "{'execute': 'migrate',"
                             " 'arguments': {'uri': %s}}", uri);
    status = vtgpu_migration_wait(src.qts, NULL);
    g_assert_cmpstr(status, ==, "completed");
    vtgpu_test_stop(&src);

    g_assert_true(g_file_get_contents(path, &stream, &len, NULL));
    stq_be_p(mark, STREAM_MARK);
    for (i = 0; i + sizeof(mark) <= len; i++) {
        if (!memcmp(stream + i, mark, sizeof(mark))) {
            stq_be_p(stream + i, STREAM_MARK + VTGPU_PAGE_SIZE - 3);
            found++;
        }
    }
    g_assert_cmpuint(found, ==, 1);
    g_assert_true(g_file_set_contents(path, stream, len, NULL));

    to = qtest_initf("-nodefaults -device vtgpu,addr=%02x.0%s -incoming defer",
                     VTGPU_SLOT, SMALL_PROPS);
    qtest_qmp_assert_success(to, "{'execute': 'migrate-incoming',"
                             " 'arguments': {'uri': %s,"
                             " 'exit-on-error': false}}", uri);
    g_free(status);
    status = vtgpu_migration_wait(to, &error);
    g_assert_cmpstr(status, ==, "failed");
    g_assert_nonnull(strstr(error, reg->name));
    qtest_quit(to);
    unlink(path);
}

/* Stop the VM, then queue a FILL and a FENCE and ring the doorbell */
static void queue_on_stopped_vm(VTGPUTest *t)
{
    vtgpu_ring_setup(t, 4096);
    qtest_qmp_assert_success(t->qts, "{'execute': 'stop'}");
    qtest_qmp_eventwait(t->qts, "STOP");
    vtgpu_fill(t, 0x100, 4, 0xcafe);
    vtgpu_fence(t, 1, 0);
    vtgpu_kick(t);
}

/* The queued work has not run: BUSY, many main loop iterations long */
static void check_queued_not_run(VTGPUTest *t)
{
    int i;

    /* each read is a round trip through the main loop */
    for (i = 0; i < 1000; i++) {
        g_assert_cmphex(vtgpu_status(t), ==, VTGPU_STATUS_BUSY);
    }
    g_assert_cmphex(vtgpu_readl(t, VTGPU_REG_RING_HEAD), ==, 0);
    g_assert_cmphex(qpci_io_readl(t->dev, t->vram, 0x100), ==, 0);
    g_assert_cmphex(vtgpu_read64(t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);
}

/* Let the VM run: the queued work runs */
static void check_cont_runs_queued(VTGPUTest *t)
{
    qtest_qmp_assert_success(t->qts, "{'execute': 'cont'}");
    g_assert_cmphex(vtgpu_wait_idle(t), ==, 0);
    g_assert_cmphex(qpci_io_readl(t->dev, t->vram, 0x100), ==, 0xcafe);
    g_assert_cmphex(vtgpu_read64(t, VTGPU_REG_FENCE_SEQNO_LO), ==, 1);
}

/*
 * The engine stops with the VM: a doorbell rung while the VM is stopped
 * starts nothing until it runs again.
 */
static void test_vm_stop(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS);
    queue_on_stopped_vm(&t);
    check_queued_not_run(&t);
    check_cont_runs_queued(&t);
    vtgpu_test_stop(&t);
}

/*
 * A command in progress migrates with the chunks it has done, whatever
 * RING_TAIL the driver wrote meanwhile (the engine checks that at its next
 * fetch): a 512 MiB FILL stopped part-way, a RING_TAIL that is not a
 * multiple of 32, then the FILL completes on the destination and the
 * engine halts with BAD_RING after it.
 */
#define BIG_PROPS ",vram-size=1G,visible-vram-size=16M"

static void test_migration_command_in_progress(void)
{
    VTGPUTest src, dst;

    vtgpu_test_start(&src, BIG_PROPS);
    vtgpu_ring_setup(&src, 4096);
    vtgpu_fill(&src, 0, 512 * MiB, 0x5a5a5a5a);
    vtgpu_kick(&src);
    qtest_qmp_assert_success(src.qts, "{'execute': 'stop'}");
    qtest_qmp_eventwait(src.qts, "STOP");
    g_assert_cmphex(vtgpu_status(&src), ==, VTGPU_STATUS_BUSY);
    vtgpu_writel(&src, VTGPU_REG_RING_TAIL, 4);

    /* the source was stopped: so is the destination, until cont */
    vtgpu_migrate_to(&src, &dst, BIG_PROPS, true);
    vtgpu_test_stop(&src);
    qtest_qmp_assert_success(dst.qts, "{'execute': 'cont'}");

    check_halted(&dst, VTGPU_ERR_BAD_RING, 32, 0);
    g_assert_cmpuint(vtgpu_read64(&dst, VTGPU_REG_STAT_COMMANDS_LO), ==, 1);
    g_assert_cmpuint(vtgpu_read64(&dst, VTGPU_REG_STAT_BYTES_LO), ==,
                     512 * MiB);
    g_assert_cmphex(qpci_io_readl(dst.dev, dst.vram, 0), ==, 0x5a5a5a5a);
    g_assert_cmphex(qpci_io_readl(dst.dev, dst.vram, 16 * MiB - 4), ==,
                    0x5a5a5a5a);
    vtgpu_test_stop(&dst);
}

/*
 * The engine's writes to VRAM during a migration reach the destination:
 * VRAM pages the first pass sent, then filled by the engine before the
 * migration ends, are sent again (the device marks them dirty).  The
 * migration is held at a low bandwidth until its first pass is over.
 */
static void test_migration_dirty_vram(void)
{
    g_autofree char *path = g_strdup_printf("%s/vtgpu-migration-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("unix:%s", path);
    g_autofree char *status = NULL;
    VTGPUTest src, dst;
    QTestState *to;
    int i;

    vtgpu_test_start(&src, SMALL_PROPS);
    vtgpu_ring_setup(&src, 4096);
    to = qtest_initf("-nodefaults -device vtgpu,addr=%02x.0%s -incoming %s",
                     VTGPU_SLOT, SMALL_PROPS, uri);
    /*
     * Slow, with a downtime no pass can meet while the test dirties 8 MiB
     * of RAM at each step: the migration iterates, the VM runs.
     */
    qtest_qmp_assert_success(src.qts, "{'execute': 'migrate-set-parameters',"
                             " 'arguments': {'max-bandwidth': 4194304,"
                             " 'downtime-limit': 1}}");
    qtest_qmp_assert_success(src.qts, "{'execute': 'migrate',"
                             " 'arguments': {'uri': %s}}", uri);
    for (i = 0;; i++) {
        QDict *rsp = qtest_qmp(src.qts, "{'execute': 'query-migrate'}");
        QDict *ram = qdict_get_qdict(qdict_get_qdict(rsp, "return"), "ram");
        bool first_pass_done = ram &&
            qdict_get_try_int(ram, "dirty-sync-count", 0) >= 2;

        qobject_unref(rsp);
        if (first_pass_done) {
            break;
        }
        qtest_memset(src.qts, DATA_GPA, i, 8 * MiB);
        g_usleep(10 * 1000);
    }

    /* every page of invisible VRAM has been sent once: fill it now */
    vtgpu_fill(&src, 6 * MiB, 2 * MiB, 0xd1d1d1d1);
    vtgpu_run(&src);
    qtest_qmp_assert_success(src.qts, "{'execute': 'migrate-set-parameters',"
                             " 'arguments': {'max-bandwidth': 1073741824,"
                             " 'downtime-limit': 10000}}");
    status = vtgpu_migration_wait(src.qts, NULL);
    g_assert_cmpstr(status, ==, "completed");
    qtest_qmp_eventwait(to, "RESUME");
    unlink(path);
    vtgpu_test_stop(&src);

    vtgpu_test_attach(&dst, to, VTGPU_DEVFN);
    dst.ring_size = 4096;
    dst.tail = 32;
    vtgpu_copy(&dst, 6 * MiB, 0, 2 * MiB);
    vtgpu_run(&dst);
    assert_vram_bytes(&dst, 0, 0xd1, 2 * MiB);
    vtgpu_test_stop(&dst);
}

/*
 * Work queued on a stopped VM migrates as work: the destination does it
 * when it runs, not when it has loaded the device.
 */
static void test_migration_paused(void)
{
    VTGPUTest src, dst;

    vtgpu_test_start(&src, SMALL_PROPS);
    queue_on_stopped_vm(&src);
    g_assert_cmphex(vtgpu_status(&src), ==, VTGPU_STATUS_BUSY);

    vtgpu_migrate_to(&src, &dst, SMALL_PROPS, true);
    vtgpu_test_stop(&src);

    check_queued_not_run(&dst);
    check_cont_runs_queued(&dst);
    vtgpu_test_stop(&dst);
}

/*
 * RING_TAIL is checked before every command, delayed ones included: the
 * driver takes back a command during its delay, and nothing runs (the
 * engine used to run it and then every stale command of the ring).
 */
static void test_delay_tail_moved_back(void)
{
    VTGPUTest t;

    vtgpu_test_start(&t, SMALL_PROPS ",engine-delay-us=100");
    vtgpu_ring_setup(&t, 4096);
    vtgpu_fill(&t, 0x100, 4, 0xdeadbeef);
    vtgpu_kick(&t);
    qtest_clock_step(t.qts, 50 * 1000);
    vtgpu_writel(&t, VTGPU_REG_RING_TAIL, 0);
    /* long enough for the whole ring of delayed commands */
    qtest_clock_step(t.qts, 100 * 1000 * 1000);

    g_assert_cmphex(vtgpu_wait_idle(&t), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==, 0);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0x100), ==, 0);
    vtgpu_test_stop(&t);
}

/*
 * The same for a command in progress: a 64 MiB COPY, 16 chunks, taken
 * back right after the doorbell is abandoned, and the stale FENCEs after
 * it in the ring never run.
 */
static void test_chunk_tail_moved_back(void)
{
    VTGPUTest t;
    int i;

    vtgpu_test_start(&t, ",vram-size=128M,visible-vram-size=16M");
    vtgpu_ring_setup(&t, 4096);
    vtgpu_copy(&t, 0, 64 * MiB, 64 * MiB);
    for (i = 1; i < 128; i++) {
        vtgpu_fence(&t, 0xdead0000 + i, 0);
    }
    vtgpu_writel(&t, VTGPU_REG_RING_TAIL, 32);
    vtgpu_writel(&t, VTGPU_REG_DOORBELL, 1);
    vtgpu_writel(&t, VTGPU_REG_RING_TAIL, 0);

    g_assert_cmphex(vtgpu_wait_idle(&t), ==, 0);
    g_assert_cmphex(vtgpu_readl(&t, VTGPU_REG_RING_HEAD), ==, 0);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_COMMANDS_LO), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);
    vtgpu_test_stop(&t);
}

/*
 * A burst of the engine moves at most 4 MiB, however large the command:
 * a 1 GiB FILL and a 1 GiB COPY within VRAM, checked through the
 * STAT_MAX_BURST counter, and the copy's data through visible VRAM.
 * The longest gap between two register reads while the engine is busy
 * (the main loop blocked) is logged, not asserted.
 */
static void test_burst_1g(void)
{
    const uint64_t len = 1 * GiB;
    const size_t head = 1 * MiB;
    g_autofree uint8_t *data = g_malloc(head);
    g_autofree uint8_t *buf = g_malloc(head);
    gint64 last, now, gap = 0;
    uint32_t status;
    VTGPUTest t;
    int i;

    vtgpu_test_attach(&t, qtest_initf("-nodefaults -device vtgpu,"
                                      "addr=%02x.0,vram-size=2G,"
                                      "visible-vram-size=16M",
                                      VTGPU_SLOT), VTGPU_DEVFN);
    vtgpu_ring_setup(&t, 4096);
    vtgpu_fill(&t, 0, len, 0x11223344);
    vtgpu_run(&t);
    fill_data(data, head, 3);
    vram_write(&t, 0, data, head);

    vtgpu_copy(&t, 0, len, len);
    vtgpu_kick(&t);
    last = g_get_monotonic_time();
    do {
        status = vtgpu_status(&t);
        now = g_get_monotonic_time();
        gap = MAX(gap, now - last);
        last = now;
    } while (status & VTGPU_STATUS_BUSY);
    g_assert_cmphex(status, ==, 0);
    g_test_message("1 GiB COPY: longest main loop stall seen %" PRId64 " us",
                   gap);

    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_MAX_BURST_LO), >, 0);
    g_assert_cmpuint(vtgpu_read64(&t, VTGPU_REG_STAT_MAX_BURST_LO), <=,
                     4 * MiB);

    /* the head and the last page of the copy, read back through BAR2 */
    vtgpu_copy(&t, len, 2 * MiB, head);
    vtgpu_copy(&t, 2 * len - PAGE, 4 * MiB, PAGE);
    vtgpu_run(&t);
    vram_read(&t, 2 * MiB, buf, head);
    g_assert_cmpmem(buf, head, data, head);
    for (i = 0; i < PAGE; i += 4) {
        g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 4 * MiB + i), ==,
                        0x11223344);
    }
    vtgpu_test_stop(&t);
}

/*
 * A COPY within VRAM whose destination overlaps the end of its source, in
 * more than one chunk: it acts as memmove.
 */
static void test_chunk_memmove(void)
{
    const uint64_t len = 9 * MiB, shift = 3 * MiB + 12;
    g_autofree uint8_t *data = g_malloc(len);
    g_autofree uint8_t *buf = g_malloc(len);
    VTGPUTest t;

    vtgpu_test_start(&t, ",vram-size=16M,visible-vram-size=16M");
    vtgpu_ring_setup(&t, 4096);
    fill_data(data, len, 5);
    vram_write(&t, 0, data, len);
    vtgpu_copy(&t, 0, shift, len);
    vtgpu_run(&t);
    vram_read(&t, shift, buf, len);
    g_assert_cmpmem(buf, len, data, len);
    vtgpu_test_stop(&t);
}

/*
 * Each chunk is translated when it starts: a GART entry of a later chunk
 * that maps no RAM halts the engine with DMA_ERROR there, after the
 * earlier chunks were written and before the faulting one writes.
 */
static void test_chunk_fault(void)
{
    const uint64_t len = 8 * MiB, pages = len / PAGE, bad_page = 1500;
    g_autofree uint64_t *table = g_new(uint64_t, pages);
    VTGPUTest t;
    uint64_t i;

    vtgpu_test_start(&t, ",vram-size=8M,visible-vram-size=4M,gart-size=16M");
    vtgpu_ring_setup(&t, 4096);
    gart_setup(&t);
    for (i = 0; i < pages; i++) {
        table[i] = cpu_to_le64((DATA_GPA + i * PAGE) | GART_RW);
    }
    table[bad_page] = cpu_to_le64(NO_RAM_GPA | GART_RW);
    qtest_memwrite(t.qts, TABLE_GPA, table, pages * sizeof(*table));
    qtest_memset(t.qts, DATA_GPA, 0, len);

    vtgpu_fill(&t, G, len, 0xa5a5a5a5);
    vtgpu_kick(&t);
    check_halted(&t, VTGPU_ERR_DMA_ERROR, 0, NO_RAM_GPA);
    assert_guest_bytes(&t, DATA_GPA, 0xa5, 4 * MiB);
    assert_guest_bytes(&t, DATA_GPA + 4 * MiB, 0, len - 4 * MiB);
    vtgpu_test_stop(&t);
}

/*
 * Hot-unplug and hot-plug again, on the pc machine's ACPI PCI hotplug
 */
#define HOTPLUG_SLOT 6

static void hotplug_add(QTestState *qts, VTGPUTest *t, uint32_t delay_us)
{
    qtest_qmp_device_add(qts, "vtgpu", "gpu0",
                         "{'addr': %s, 'vram-size': %d,"
                         " 'visible-vram-size': %d, 'engine-delay-us': %d}",
                         stringify(HOTPLUG_SLOT), (int)(8 * MiB),
                         (int)(4 * MiB), (int)delay_us);
    vtgpu_test_attach(t, qts, QPCI_DEVFN(HOTPLUG_SLOT, 0));
    g_assert_cmphex(vtgpu_readl(t, VTGPU_REG_ID), ==, VTGPU_ID);
}

static void test_hotplug(void)
{
    QTestState *qts = qtest_init("-nodefaults");
    VTGPUTest t;

    hotplug_add(qts, &t, 0);
    qpci_io_writel(t.dev, t.vram, 0, 0x12345678);
    vtgpu_ring_setup(&t, 4096);
    vtgpu_copy(&t, 0, 0x100, 4);
    vtgpu_fence(&t, 1, 0);
    vtgpu_run(&t);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0x100), ==, 0x12345678);

    /* Unplug with a delayed command in flight */
    vtgpu_writel(&t, VTGPU_REG_ENGINE_DELAY_US, 1000);
    vtgpu_fence(&t, 2, 0);
    vtgpu_kick(&t);
    qpci_unplug_acpi_device_test(qts, "gpu0", HOTPLUG_SLOT);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_VENDOR_ID), ==, 0xffff);
    vtgpu_test_detach(&t);
    qtest_clock_step(qts, 10 * 1000 * 1000);

    /* A new device, with its own VRAM, at the same place */
    hotplug_add(qts, &t, 0);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0x100), ==, 0);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 0);
    vtgpu_ring_setup(&t, 4096);
    vtgpu_fill(&t, 0x100, 4, 0xcafe);
    vtgpu_fence(&t, 3, 0);
    vtgpu_run(&t);
    g_assert_cmphex(qpci_io_readl(t.dev, t.vram, 0x100), ==, 0xcafe);
    g_assert_cmphex(vtgpu_read64(&t, VTGPU_REG_FENCE_SEQNO_LO), ==, 3);

    qpci_unplug_acpi_device_test(qts, "gpu0", HOTPLUG_SLOT);
    vtgpu_test_detach(&t);
    qtest_quit(qts);
}

/*
 * Throughput of the memcpy paths, with -m perf
 */
/* Execute one command twice (the first run faults the memory in); MiB/s */
static double vtgpu_timed(VTGPUTest *t, uint32_t opcode, uint64_t arg0,
                          uint64_t arg1, uint64_t arg2, uint64_t len)
{
    gint64 start;

    vtgpu_emit(t, opcode, 0, arg0, arg1, arg2);
    vtgpu_run(t);
    start = g_get_monotonic_time();
    vtgpu_emit(t, opcode, 0, arg0, arg1, arg2);
    vtgpu_run(t);
    return len / MiB / ((g_get_monotonic_time() - start) / 1e6);
}

static void test_perf(void)
{
    const uint64_t vram_len = 256 * MiB;
    const uint64_t gart_len = 64 * MiB;
    /* two buffers of gart_len, contiguous in guest memory */
    const uint64_t pages = 2 * gart_len / PAGE;
    g_autofree uint64_t *table = g_new(uint64_t, pages);
    VTGPUTest t;
    uint64_t i;

    vtgpu_test_attach(&t, qtest_initf("-m 512 -nodefaults -device vtgpu,"
                                      "addr=%02x.0,vram-size=1G,"
                                      "visible-vram-size=16M",
                                      VTGPU_SLOT), VTGPU_DEVFN);
    vtgpu_ring_setup(&t, 4096);
    gart_setup(&t);
    for (i = 0; i < pages; i++) {
        table[i] = cpu_to_le64((DATA_GPA + i * PAGE) | GART_RW);
    }
    qtest_memwrite(t.qts, TABLE_GPA, table, pages * sizeof(*table));

    g_test_message("FILL VRAM: %.0f MiB/s",
                   vtgpu_timed(&t, VTGPU_OP_FILL, 0, vram_len, 0x5a5a5a5a,
                               vram_len));
    g_test_message("COPY VRAM -> VRAM: %.0f MiB/s",
                   vtgpu_timed(&t, VTGPU_OP_COPY, 0, vram_len, vram_len,
                               vram_len));
    g_test_message("COPY GART -> VRAM: %.0f MiB/s",
                   vtgpu_timed(&t, VTGPU_OP_COPY, G, 0, gart_len, gart_len));
    g_test_message("COPY VRAM -> GART: %.0f MiB/s",
                   vtgpu_timed(&t, VTGPU_OP_COPY, 0, G, gart_len, gart_len));
    g_test_message("COPY GART -> GART: %.0f MiB/s",
                   vtgpu_timed(&t, VTGPU_OP_COPY, G, G + gart_len, gart_len,
                               gart_len));

    vtgpu_test_stop(&t);
}

/*
 * Properties
 */
typedef struct BadProps {
    const char *name;
    const char *props;
    const char *error;
} BadProps;

static const BadProps bad_props[] = {
    {
        "visible-above-vram", "vram-size=64M,visible-vram-size=128M",
        "*visible-vram-size (134217728 bytes) must not exceed "
        "vram-size (67108864 bytes)*",
    }, {
        "visible-not-power-of-2", "visible-vram-size=48M",
        "*visible-vram-size must be a power of two*",
    }, {
        "visible-below-1M", "visible-vram-size=512K",
        "*visible-vram-size must be at least 1 MiB*",
    }, {
        "vram-not-1M-multiple", "vram-size=262148K",
        "*vram-size must be a multiple of 1 MiB*",
    }, {
        "vram-above-16G", "vram-size=32G",
        "*vram-size must be at most 16 GiB*",
    }, {
        "gart-not-power-of-2", "gart-size=3M",
        "*gart-size must be a power of two from 1 MiB to 4 GiB*",
    }, {
        "gart-below-1M", "gart-size=512K",
        "*gart-size must be a power of two from 1 MiB to 4 GiB*",
    }, {
        "gart-above-4G", "gart-size=8G",
        "*gart-size must be a power of two from 1 MiB to 4 GiB*",
    }, {
        "delay-above-10s", "engine-delay-us=10000001",
        "*engine-delay-us must be at most 10000000*",
    },
};

/*
 * QEMU must refuse to start with invalid properties, and say why.  It
 * exits while qtest_init() waits for it, which makes qtest_init() abort,
 * so start it in a subprocess and check how that ended.
 */
static void test_bad_props(const void *data)
{
    const BadProps *bad = data;

    if (g_test_subprocess()) {
        QTestState *qts = qtest_initf("-nodefaults -device vtgpu,%s",
                                      bad->props);

        /* Not reached when QEMU refuses to start */
        qtest_quit(qts);
        return;
    }

    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(bad->error);
}

/*
 * Reproducers of bugs found by the generic fuzzer (generic-fuzz-vtgpu),
 * as the qtest traces of its inputs: the fuzzer's machine and device
 * (FUZZ_ARGS), vtgpu at 00:01.0, BAR0 at 0xe0000000 and BAR2 at
 * 0xe0800000, as the fuzzer maps them.
 */

/*
 * A GART entry mapping a page of the device's own BAR2: a COPY from VRAM
 * to that page was a DMA write whose source, VRAM, overlapped its
 * destination (AddressSanitizer: memcpy-param-overlap).  The page is now
 * accessed as VRAM, and the copy is a memmove.
 */
static void test_fuzz_copy_gart_vram_bar(void)
{
    QTestState *s = qtest_init(FUZZ_ARGS);
    uint8_t data[0x110], out[0x100];
    int i;

    qtest_outl(s, 0xcf8, 0x80000810);
    qtest_outl(s, 0xcfc, 0xe0000000);
    qtest_outl(s, 0xcf8, 0x80000818);
    qtest_outl(s, 0xcfc, 0xe0800000);
    qtest_outl(s, 0xcf8, 0x80000804);
    qtest_outw(s, 0xcfc, 0x7);
    for (i = 0; i < sizeof(data); i++) {
        data[i] = i;
    }
    qtest_memwrite(s, 0xe0800000, data, sizeof(data));
    /* COPY 0x100 bytes from VRAM 0 to GART_BASE + 0x10, page 0 on BAR2 */
    qtest_memwrite(s, 0x100000, "\x01\x00\x00\x00\x00\x00\x00\x00"
                   "\x00\x00\x00\x00\x00\x00\x00\x00"
                   "\x10\x00\x00\x00\x00\x01\x00\x00"
                   "\x00\x01\x00\x00\x00\x00\x00\x00", 32);
    qtest_writeq(s, 0x200000, 0xe0800003);
    qtest_writel(s, 0xe0000080, 0x100000);
    qtest_writel(s, 0xe0000088, 0x1000);
    qtest_writel(s, 0xe0000040, 0x200000);
    qtest_writel(s, 0xe0000090, 0x20);
    qtest_writel(s, 0xe0000094, 0x1);
    for (i = 0; i < 100000 && qtest_readl(s, 0xe0000098); i++) {
        /* wait for the engine */
    }
    g_assert_cmphex(qtest_readl(s, 0xe0000098), ==, 0);
    g_assert_cmphex(qtest_readl(s, 0xe000008c), ==, 0x20);
    qtest_memread(s, 0xe0800010, out, sizeof(out));
    g_assert_cmpmem(out, sizeof(out), data, sizeof(out));
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    int i;

    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/vtgpu/identity", test_identity);
    qtest_add_func("/vtgpu/sizes/default", test_sizes_default);
    qtest_add_func("/vtgpu/sizes/custom", test_sizes_custom);
    qtest_add_func("/vtgpu/vram-rw", test_vram_rw);
    qtest_add_func("/vtgpu/mm-window", test_mm_window);
    qtest_add_func("/vtgpu/ro-registers", test_ro_registers);
    qtest_add_func("/vtgpu/registers", test_registers);
    qtest_add_func("/vtgpu/system-reset", test_system_reset);
    qtest_add_func("/vtgpu/ring", test_ring);
    for (i = 0; i < ARRAY_SIZE(bad_rings); i++) {
        g_autofree char *path = g_strdup_printf("/vtgpu/bad-ring/%s",
                                                bad_rings[i].name);

        qtest_add_data_func(path, &bad_rings[i], test_bad_ring);
    }
    qtest_add_func("/vtgpu/nop-fence", test_nop_fence);
    qtest_add_func("/vtgpu/irq/intx", test_irq_intx);
    qtest_add_func("/vtgpu/irq/msi", test_irq_msi);
    qtest_add_func("/vtgpu/irq/msi-enable-pending",
                   test_irq_msi_enable_pending);
    qtest_add_func("/vtgpu/copy/vram", test_copy_vram);
    qtest_add_func("/vtgpu/copy/gart", test_copy_gart);
    qtest_add_func("/vtgpu/fill", test_fill);
    for (i = 0; i < ARRAY_SIZE(error_cases); i++) {
        g_autofree char *path = g_strdup_printf("/vtgpu/error/%s",
                                                error_cases[i].name);

        qtest_add_data_func(path, &error_cases[i], test_error);
    }
    qtest_add_func("/vtgpu/error/ring-no-ram", test_error_ring_no_ram);
    qtest_add_func("/vtgpu/error/bus-master", test_error_bus_master);
    qtest_add_func("/vtgpu/engine-reset", test_engine_reset);
    qtest_add_func("/vtgpu/inject/fail-next", test_inject_fail_next);
    qtest_add_func("/vtgpu/inject/hang", test_inject_hang);
    qtest_add_func("/vtgpu/delay", test_delay);
    qtest_add_func("/vtgpu/delay/tail-moved-back", test_delay_tail_moved_back);
    qtest_add_func("/vtgpu/burst/1g", test_burst_1g);
    qtest_add_func("/vtgpu/chunk/memmove", test_chunk_memmove);
    qtest_add_func("/vtgpu/chunk/fault", test_chunk_fault);
    qtest_add_func("/vtgpu/chunk/tail-moved-back",
                   test_chunk_tail_moved_back);
    qtest_add_func("/vtgpu/vm-stop", test_vm_stop);
    qtest_add_func("/vtgpu/stats", test_stats);
    qtest_add_func("/vtgpu/migration/running", test_migration_running);
    qtest_add_func("/vtgpu/migration/halted", test_migration_halted);
    qtest_add_func("/vtgpu/migration/paused", test_migration_paused);
    qtest_add_func("/vtgpu/migration/dirty-vram",
                   test_migration_dirty_vram);
    qtest_add_func("/vtgpu/migration/command-in-progress",
                   test_migration_command_in_progress);
    for (i = 0; i < ARRAY_SIZE(unaligned_regs); i++) {
        g_autofree char *path =
            g_strdup_printf("/vtgpu/migration/unaligned/%s",
                            unaligned_regs[i].name);

        qtest_add_data_func(path, &unaligned_regs[i],
                            test_migration_unaligned);
    }
    qtest_add_func("/vtgpu/hotplug", test_hotplug);
    qtest_add_func("/vtgpu/fuzz/copy-gart-vram-bar",
                   test_fuzz_copy_gart_vram_bar);
    if (g_test_perf()) {
        qtest_add_func("/vtgpu/perf", test_perf);
    }
    for (i = 0; i < ARRAY_SIZE(bad_props); i++) {
        g_autofree char *path = g_strdup_printf("/vtgpu/bad-props/%s",
                                                bad_props[i].name);

        qtest_add_data_func(path, &bad_props[i], test_bad_props);
    }

    return g_test_run();
}
