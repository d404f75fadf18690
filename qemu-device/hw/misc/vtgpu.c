/*
 * vtgpu: a virtual GPU PCI device for driver development
 *
 * BAR0 holds the registers, BAR2 a CPU-visible window on VRAM.  An engine
 * executes commands (COPY, FILL, FENCE) from a ring in guest memory; they
 * address VRAM and a GART aperture that maps guest pages through a page
 * table in guest memory.  The engine runs in a bottom half, asynchronously
 * to the vCPUs, and optionally delays each command with a timer.
 * The interface is documented in docs/specs/vtgpu.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/misc/vtgpu_regs.h"
#include "hw/pci/msi.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "system/dma.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "trace.h"

#define TYPE_VTGPU "vtgpu"
OBJECT_DECLARE_SIMPLE_TYPE(VTGPUState, VTGPU)

#define VTGPU_MMIO_SIZE             (4 * KiB)
#define VTGPU_VRAM_SIZE_MAX         (16 * GiB)
#define VTGPU_VISIBLE_SIZE_MIN      (1 * MiB)
#define VTGPU_GART_SIZE_MIN         (1 * MiB)
#define VTGPU_GART_SIZE_MAX         (4 * GiB)

/*
 * A burst of the engine, between two returns to the main loop, executes
 * at most this many commands and moves at most this many bytes; COPY and
 * FILL run in chunks of VTGPU_BURST_BYTES.
 */
#define VTGPU_BURST_COMMANDS        64
#define VTGPU_BURST_BYTES           (4 * MiB)
/* Bounce buffer for guest-to-guest copies and guest fills */
#define VTGPU_BOUNCE_SIZE           (64 * KiB)

typedef struct VTGPUCmd {
    uint32_t opcode;
    uint32_t flags;
    uint64_t arg0;
    uint64_t arg1;
    uint64_t arg2;
} VTGPUCmd;

/*
 * A translated range: a piece of VRAM (host != NULL) or of guest memory
 * at guest-physical address gpa.
 */
typedef struct VTGPUSeg {
    uint8_t *host;
    uint64_t vram_offset;
    dma_addr_t gpa;
    uint64_t len;
} VTGPUSeg;

struct VTGPUState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion vram;
    MemoryRegion vram_bar;
    QEMUBH *engine_bh;
    QEMUTimer delay_timer;

    /* registers */
    uint64_t gart_table;
    uint64_t ring_base;
    uint32_t ring_size;
    uint32_t ring_head;
    uint32_t ring_tail;
    uint64_t fence_seqno;
    uint64_t fence_wb;
    uint32_t int_status;
    uint32_t int_mask;
    uint32_t error_code;
    uint32_t error_head;
    uint64_t error_addr;
    uint32_t inject;
    uint32_t engine_delay_us;
    uint64_t stat_commands;
    uint64_t stat_bytes;
    uint64_t stat_max_burst;
    uint64_t mm_index;

    /* engine state; the engine is hung when inject is VTGPU_INJECT_HANG */
    bool running;
    bool halted;
    /* the delay of the command at RING_HEAD is over */
    bool delay_done;
    /* a COPY or FILL in progress, cmd_done bytes of it done */
    bool cmd_active;
    VTGPUCmd cmd;
    uint64_t cmd_done;
    VMChangeStateEntry *vmstate_change;
    /* the VM runs: the engine may run (vtgpu_vm_state_change) */
    bool vm_running;

    /* properties */
    uint64_t vram_size;
    uint64_t visible_vram_size;
    uint64_t gart_size;
    uint32_t engine_delay_us_prop;
};

static bool vtgpu_check_properties(VTGPUState *s, Error **errp)
{
    if (!QEMU_IS_ALIGNED(s->vram_size, MiB)) {
        error_setg(errp, "vram-size must be a multiple of 1 MiB, "
                   "got %" PRIu64 " bytes", s->vram_size);
        return false;
    }
    if (s->vram_size > VTGPU_VRAM_SIZE_MAX) {
        error_setg(errp, "vram-size must be at most 16 GiB, "
                   "got %" PRIu64 " bytes", s->vram_size);
        return false;
    }
    if (!is_power_of_2(s->visible_vram_size)) {
        error_setg(errp, "visible-vram-size must be a power of two, "
                   "got %" PRIu64 " bytes", s->visible_vram_size);
        return false;
    }
    if (s->visible_vram_size < VTGPU_VISIBLE_SIZE_MIN) {
        error_setg(errp, "visible-vram-size must be at least 1 MiB, "
                   "got %" PRIu64 " bytes", s->visible_vram_size);
        return false;
    }
    if (s->visible_vram_size > s->vram_size) {
        error_setg(errp, "visible-vram-size (%" PRIu64 " bytes) must not "
                   "exceed vram-size (%" PRIu64 " bytes)",
                   s->visible_vram_size, s->vram_size);
        return false;
    }
    if (!is_power_of_2(s->gart_size) ||
        s->gart_size < VTGPU_GART_SIZE_MIN ||
        s->gart_size > VTGPU_GART_SIZE_MAX) {
        error_setg(errp, "gart-size must be a power of two from 1 MiB "
                   "to 4 GiB, got %" PRIu64 " bytes", s->gart_size);
        return false;
    }
    if (s->engine_delay_us_prop > VTGPU_DELAY_US_MAX) {
        error_setg(errp, "engine-delay-us must be at most %u, got %" PRIu32,
                   VTGPU_DELAY_US_MAX, s->engine_delay_us_prop);
        return false;
    }
    return true;
}

/*
 * Interrupts: the condition is int_status & int_mask.  INTx follows it as
 * a level; MSI sends a message for each of its bits that goes from 0 to 1.
 */
static void vtgpu_update_irq(VTGPUState *s, uint32_t old_pending)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t pending = s->int_status & s->int_mask;

    if (msi_enabled(pdev)) {
        pci_set_irq(pdev, 0);
        if (pending & ~old_pending) {
            trace_vtgpu_irq_msi(s->int_status, s->int_mask);
            msi_notify(pdev, 0);
        }
    } else {
        trace_vtgpu_irq_intx(s->int_status, s->int_mask, pending != 0);
        pci_set_irq(pdev, pending != 0);
    }
}

static void vtgpu_set_int_status(VTGPUState *s, uint32_t status)
{
    uint32_t old_pending = s->int_status & s->int_mask;

    s->int_status = status;
    vtgpu_update_irq(s, old_pending);
}

static void vtgpu_set_int_mask(VTGPUState *s, uint32_t mask)
{
    uint32_t old_pending = s->int_status & s->int_mask;

    s->int_mask = mask & VTGPU_INT_ALL;
    vtgpu_update_irq(s, old_pending);
}

/*
 * MSI enabled or disabled by the guest: the interrupt condition moves to
 * the other mechanism, so that INTx is not left asserted under MSI and a
 * pending condition is not lost.
 */
static void vtgpu_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                               int len)
{
    VTGPUState *s = VTGPU(pdev);
    bool was_enabled = msi_enabled(pdev);

    pci_default_write_config(pdev, addr, val, len);
    if (msi_enabled(pdev) != was_enabled) {
        vtgpu_update_irq(s, 0);
    }
}

/*
 * Range checks.  Sizes are never 0 here: commands check them first.
 */
static bool vtgpu_vram_range_ok(VTGPUState *s, uint64_t addr, uint64_t len)
{
    return len <= s->vram_size && addr <= s->vram_size - len;
}

static bool vtgpu_gart_range_ok(VTGPUState *s, uint64_t addr, uint64_t len)
{
    return addr >= VTGPU_GART_BASE && len <= s->gart_size &&
           addr - VTGPU_GART_BASE <= s->gart_size - len;
}

static bool vtgpu_ring_size_ok(uint32_t size)
{
    return is_power_of_2(size) &&
           size >= VTGPU_RING_SIZE_MIN && size <= VTGPU_RING_SIZE_MAX;
}

static bool vtgpu_ring_ok(VTGPUState *s)
{
    return vtgpu_ring_size_ok(s->ring_size) &&
           s->ring_base <= UINT64_MAX - s->ring_size + 1 &&
           QEMU_IS_ALIGNED(s->ring_tail, VTGPU_CMD_SIZE) &&
           s->ring_tail < s->ring_size &&
           QEMU_IS_ALIGNED(s->ring_head, VTGPU_CMD_SIZE) &&
           s->ring_head < s->ring_size;
}

/*
 * Translate [addr, addr + len) of guest-physical memory, RAM that the
 * engine may access as a bus master, and append it to segs (unless NULL:
 * a check only), merging it with the last segment when contiguous.  Only
 * RAM is accessed, so that the engine never reaches MMIO (its own
 * registers included).  A piece in
 * vtgpu's own VRAM (BAR2, which a GART entry may map) becomes a VRAM
 * segment: a copy between it and VRAM is then a memmove, never a DMA
 * whose source overlaps its destination.  On failure, *fault is the first
 * byte that is not RAM.  The segments stay valid while the BQL is held.
 */
static uint32_t vtgpu_append_guest(VTGPUState *s, GArray *segs,
                                   dma_addr_t gpa, uint64_t len,
                                   bool is_write, uint64_t *fault)
{
    AddressSpace *as = pci_get_address_space(PCI_DEVICE(s));
    uint8_t *vram = memory_region_get_ram_ptr(&s->vram);

    if (gpa + len < gpa && gpa + len != 0) {
        *fault = gpa;
        return VTGPU_ERR_DMA_ERROR;
    }

    RCU_READ_LOCK_GUARD();
    while (len) {
        VTGPUSeg *last = segs && segs->len ?
            &g_array_index(segs, VTGPUSeg, segs->len - 1) : NULL;
        VTGPUSeg seg = { .gpa = gpa };
        hwaddr xlat, l = len;
        MemoryRegion *mr;

        mr = address_space_translate(as, gpa, &xlat, &l, is_write,
                                     MEMTXATTRS_UNSPECIFIED);
        if (!l || !memory_access_is_direct(mr, is_write,
                                           MEMTXATTRS_UNSPECIFIED)) {
            *fault = gpa;
            return VTGPU_ERR_DMA_ERROR;
        }
        seg.len = MIN(l, len);
        if (mr == &s->vram) {
            seg.host = vram + xlat;
            seg.vram_offset = xlat;
        }
        if (!segs) {
            /* a check only */
        } else if (last && !last->host && !seg.host &&
                   last->gpa + last->len == seg.gpa) {
            last->len += seg.len;
        } else if (last && last->host && seg.host &&
                   last->vram_offset + last->len == seg.vram_offset) {
            last->len += seg.len;
        } else {
            g_array_append_val(segs, seg);
        }
        gpa += seg.len;
        len -= seg.len;
    }
    return VTGPU_ERR_NONE;
}

/* Read guest RAM (ring, GART table) into buf; DMA_ERROR if not RAM */
static uint32_t vtgpu_guest_read(VTGPUState *s, dma_addr_t addr, void *buf,
                                 uint64_t len, uint64_t *fault)
{
    uint32_t err = vtgpu_append_guest(s, NULL, addr, len, false, fault);

    if (err) {
        return err;
    }
    if (pci_dma_read(PCI_DEVICE(s), addr, buf, len) != MEMTX_OK) {
        *fault = addr;
        return VTGPU_ERR_DMA_ERROR;
    }
    return VTGPU_ERR_NONE;
}

/*
 * GART: translate the aperture range [addr, addr + len), a chunk of a
 * command's range starting at first, into runs of guest memory appended
 * to segs, merging physically contiguous pages.  Every entry and every
 * page is checked in address order; on failure, returns the error code
 * and the faulting address in *fault.
 */
static uint32_t vtgpu_gart_translate(VTGPUState *s, uint64_t first,
                                     uint64_t addr, uint64_t len,
                                     bool is_write, GArray *segs,
                                     uint64_t *fault)
{
    uint64_t entries[VTGPU_PAGE_SIZE / sizeof(uint64_t)];
    uint64_t offset = addr - VTGPU_GART_BASE;
    uint64_t end = offset + len;
    uint64_t page = offset / VTGPU_PAGE_SIZE;
    uint64_t last_page = (end - 1) / VTGPU_PAGE_SIZE;

    if (!s->gart_table) {
        *fault = MAX(first, VTGPU_GART_BASE + page * VTGPU_PAGE_SIZE);
        return VTGPU_ERR_GART_FAULT;
    }

    while (page <= last_page) {
        dma_addr_t table_addr = s->gart_table + page * sizeof(uint64_t);
        /* read the entries up to the end of this page of the table */
        uint64_t n = MIN(last_page - page + 1,
                         (VTGPU_PAGE_SIZE - table_addr % VTGPU_PAGE_SIZE) /
                         sizeof(uint64_t));
        uint32_t err;
        uint64_t i;

        if (table_addr < s->gart_table) {
            /* the table runs past the end of the address space */
            *fault = table_addr;
            return VTGPU_ERR_DMA_ERROR;
        }
        err = vtgpu_guest_read(s, table_addr, entries,
                               n * sizeof(uint64_t), fault);
        if (err) {
            return err;
        }

        for (i = 0; i < n; i++, page++) {
            uint64_t entry = le64_to_cpu(entries[i]);
            uint64_t start = MAX(offset, page * VTGPU_PAGE_SIZE);
            uint64_t stop = MIN(end, (page + 1) * VTGPU_PAGE_SIZE);
            dma_addr_t gpa = (entry & VTGPU_GART_ADDR_MASK) +
                             start % VTGPU_PAGE_SIZE;

            *fault = MAX(first, VTGPU_GART_BASE + page * VTGPU_PAGE_SIZE);
            if (!(entry & VTGPU_GART_VALID) ||
                (entry & VTGPU_GART_RESERVED)) {
                return VTGPU_ERR_GART_FAULT;
            }
            if (is_write && !(entry & VTGPU_GART_WRITABLE)) {
                return VTGPU_ERR_GART_READONLY;
            }
            err = vtgpu_append_guest(s, segs, gpa, stop - start, is_write,
                                     fault);
            if (err) {
                return err;
            }
        }
    }
    return VTGPU_ERR_NONE;
}

/* Check that a GPU range lies entirely in VRAM or in the aperture */
static uint32_t vtgpu_check_range(VTGPUState *s, uint64_t addr, uint64_t len,
                                  uint64_t *fault)
{
    if (vtgpu_vram_range_ok(s, addr, len) ||
        vtgpu_gart_range_ok(s, addr, len)) {
        return VTGPU_ERR_NONE;
    }
    *fault = addr;
    return VTGPU_ERR_BAD_ADDRESS;
}

/*
 * Translate [first + offset, first + offset + len), a chunk of a checked
 * GPU range, into segments.
 */
static uint32_t vtgpu_translate(VTGPUState *s, uint64_t first,
                                uint64_t offset, uint64_t len, bool is_write,
                                GArray *segs, uint64_t *fault)
{
    uint64_t addr = first + offset;

    if (vtgpu_vram_range_ok(s, addr, len)) {
        VTGPUSeg seg = {
            .host = (uint8_t *)memory_region_get_ram_ptr(&s->vram) + addr,
            .vram_offset = addr,
            .len = len,
        };

        g_array_append_val(segs, seg);
        return VTGPU_ERR_NONE;
    }
    return vtgpu_gart_translate(s, first, addr, len, is_write, segs, fault);
}

/*
 * Data movement, on whole segments: memmove for VRAM, pci_dma_read/write
 * (memcpy for RAM) for guest memory.  The segments have just been
 * translated under the same BQL hold, so the guest accesses cannot fail.
 */
static void vtgpu_copy_segment(VTGPUState *s, const VTGPUSeg *dst,
                               uint64_t doff, const VTGPUSeg *src,
                               uint64_t soff, uint64_t len)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (dst->host && src->host) {
        memmove(dst->host + doff, src->host + soff, len);
    } else if (dst->host) {
        pci_dma_read(pdev, src->gpa + soff, dst->host + doff, len);
    } else if (src->host) {
        pci_dma_write(pdev, dst->gpa + doff, src->host + soff, len);
    } else {
        g_autofree uint8_t *buf = g_malloc(MIN(len, VTGPU_BOUNCE_SIZE));
        uint64_t done, n;

        for (done = 0; done < len; done += n) {
            n = MIN(len - done, VTGPU_BOUNCE_SIZE);
            pci_dma_read(pdev, src->gpa + soff + done, buf, n);
            pci_dma_write(pdev, dst->gpa + doff + done, buf, n);
        }
    }
    if (dst->host) {
        memory_region_set_dirty(&s->vram, dst->vram_offset + doff, len);
    }
}

static void vtgpu_copy(VTGPUState *s, GArray *dst, GArray *src)
{
    guint di = 0, si = 0;
    uint64_t doff = 0, soff = 0;

    while (si < src->len && di < dst->len) {
        const VTGPUSeg *d = &g_array_index(dst, VTGPUSeg, di);
        const VTGPUSeg *sg = &g_array_index(src, VTGPUSeg, si);
        uint64_t n = MIN(d->len - doff, sg->len - soff);

        vtgpu_copy_segment(s, d, doff, sg, soff, n);
        doff += n;
        soff += n;
        if (doff == d->len) {
            di++;
            doff = 0;
        }
        if (soff == sg->len) {
            si++;
            soff = 0;
        }
    }
}

/* Fill host memory with a 32-bit pattern, doubling the filled part */
static void vtgpu_fill_host(uint8_t *p, uint64_t len, uint32_t pattern)
{
    uint64_t done = MIN(len, sizeof(pattern));

    pattern = cpu_to_le32(pattern);
    memcpy(p, &pattern, done);
    while (done < len) {
        uint64_t n = MIN(done, len - done);

        memcpy(p + done, p, n);
        done += n;
    }
}

/* Fill dst, which starts pos bytes into the command's range */
static void vtgpu_fill(VTGPUState *s, GArray *dst, uint64_t pos,
                       uint32_t pattern)
{
    g_autofree uint8_t *buf = NULL;
    guint i;

    for (i = 0; i < dst->len; i++) {
        const VTGPUSeg *d = &g_array_index(dst, VTGPUSeg, i);
        /* the pattern as seen from the first byte of this segment */
        uint32_t p = ror32(pattern, 8 * (pos % 4));
        uint64_t done, n;

        if (d->host) {
            vtgpu_fill_host(d->host, d->len, p);
            memory_region_set_dirty(&s->vram, d->vram_offset, d->len);
        } else {
            if (!buf) {
                buf = g_malloc(VTGPU_BOUNCE_SIZE);
            }
            vtgpu_fill_host(buf, MIN(d->len, VTGPU_BOUNCE_SIZE), p);
            for (done = 0; done < d->len; done += n) {
                n = MIN(d->len - done, VTGPU_BOUNCE_SIZE);
                pci_dma_write(PCI_DEVICE(s), d->gpa + done, buf, n);
            }
        }
        pos += d->len;
    }
}

/*
 * Commands.  vtgpu_cmd_check() makes the checks that need no memory
 * access; COPY and FILL then run chunk by chunk, each chunk translated
 * and checked before it writes anything.  Each returns an error code (and
 * the faulting address in *fault).
 */
static uint32_t vtgpu_cmd_check(VTGPUState *s, const VTGPUCmd *cmd,
                                uint64_t *fault)
{
    uint32_t err;

    switch (cmd->opcode) {
    case VTGPU_OP_NOP:
        return cmd->flags ? VTGPU_ERR_BAD_COMMAND : VTGPU_ERR_NONE;
    case VTGPU_OP_COPY:
        if (cmd->flags) {
            return VTGPU_ERR_BAD_COMMAND;
        }
        if (!cmd->arg2) {
            return VTGPU_ERR_BAD_SIZE;
        }
        err = vtgpu_check_range(s, cmd->arg0, cmd->arg2, fault);
        return err ? err : vtgpu_check_range(s, cmd->arg1, cmd->arg2, fault);
    case VTGPU_OP_FILL:
        if (cmd->flags || extract64(cmd->arg2, 32, 32)) {
            return VTGPU_ERR_BAD_COMMAND;
        }
        if (!cmd->arg1 || !QEMU_IS_ALIGNED(cmd->arg1, 4)) {
            return VTGPU_ERR_BAD_SIZE;
        }
        return vtgpu_check_range(s, cmd->arg0, cmd->arg1, fault);
    case VTGPU_OP_FENCE:
        return cmd->flags & ~VTGPU_FENCE_IRQ ? VTGPU_ERR_BAD_COMMAND :
                                               VTGPU_ERR_NONE;
    default:
        return VTGPU_ERR_BAD_COMMAND;
    }
}

/* Bytes a COPY or FILL moves; 0 for the others */
static uint64_t vtgpu_cmd_size(const VTGPUCmd *cmd)
{
    switch (cmd->opcode) {
    case VTGPU_OP_COPY:
        return cmd->arg2;
    case VTGPU_OP_FILL:
        return cmd->arg1;
    default:
        return 0;
    }
}

/*
 * A COPY within VRAM whose destination overlaps the end of its source
 * runs from its last chunk to its first, so that it acts as memmove.
 */
static bool vtgpu_cmd_backward(VTGPUState *s, const VTGPUCmd *cmd)
{
    return cmd->opcode == VTGPU_OP_COPY &&
           vtgpu_vram_range_ok(s, cmd->arg0, cmd->arg2) &&
           vtgpu_vram_range_ok(s, cmd->arg1, cmd->arg2) &&
           cmd->arg1 > cmd->arg0 && cmd->arg1 - cmd->arg0 < cmd->arg2;
}

/* Move the chunk of len bytes at offset offset of the command's ranges */
static uint32_t vtgpu_cmd_chunk(VTGPUState *s, const VTGPUCmd *cmd,
                                uint64_t offset, uint64_t len,
                                uint64_t *fault)
{
    g_autoptr(GArray) src = g_array_new(false, false, sizeof(VTGPUSeg));
    g_autoptr(GArray) dst = g_array_new(false, false, sizeof(VTGPUSeg));
    uint32_t err;

    if (cmd->opcode == VTGPU_OP_FILL) {
        err = vtgpu_translate(s, cmd->arg0, offset, len, true, dst, fault);
        if (!err) {
            vtgpu_fill(s, dst, offset, extract64(cmd->arg2, 0, 32));
        }
        return err;
    }

    err = vtgpu_translate(s, cmd->arg0, offset, len, false, src, fault);
    if (!err) {
        err = vtgpu_translate(s, cmd->arg1, offset, len, true, dst, fault);
    }
    if (!err) {
        vtgpu_copy(s, dst, src);
    }
    return err;
}

static uint32_t vtgpu_cmd_fence(VTGPUState *s, const VTGPUCmd *cmd,
                                uint64_t *fault)
{
    uint64_t seqno = cpu_to_le64(cmd->arg0);

    if (s->fence_wb) {
        uint32_t err = vtgpu_append_guest(s, NULL, s->fence_wb,
                                          sizeof(seqno), true, fault);
        if (err) {
            return err;
        }
    }

    s->fence_seqno = cmd->arg0;
    if (s->fence_wb) {
        pci_dma_write(PCI_DEVICE(s), s->fence_wb, &seqno, sizeof(seqno));
    }
    if (cmd->flags & VTGPU_FENCE_IRQ) {
        vtgpu_set_int_status(s, s->int_status | VTGPU_INT_FENCE);
    }
    return VTGPU_ERR_NONE;
}

/*
 * Engine
 *
 * It runs in a bottom half while the VM runs.  A command is read from the
 * ring and checked, then a COPY or FILL runs in chunks of at most
 * VTGPU_BURST_BYTES, its progress in cmd_done; a run of the bottom half
 * moves at most VTGPU_BURST_BYTES and executes at most
 * VTGPU_BURST_COMMANDS commands, then yields to the main loop.
 */
static bool vtgpu_engine_can_run(VTGPUState *s)
{
    return s->running && s->inject != VTGPU_INJECT_HANG;
}

/* Stop the engine; abandon a command in flight, delayed or in progress */
static void vtgpu_engine_stop(VTGPUState *s)
{
    s->running = false;
    s->cmd_active = false;
    s->delay_done = false;
    qemu_bh_cancel(s->engine_bh);
    timer_del(&s->delay_timer);
}

static void vtgpu_engine_halt(VTGPUState *s, uint32_t code, uint64_t addr)
{
    trace_vtgpu_error(code, s->ring_head, addr);
    vtgpu_engine_stop(s);
    s->halted = true;
    s->error_code = code;
    s->error_head = s->ring_head;
    s->error_addr = addr;
    vtgpu_set_int_status(s, s->int_status | VTGPU_INT_ERROR);
}

/* The command at RING_HEAD has completed */
static void vtgpu_engine_complete(VTGPUState *s)
{
    s->ring_head = (s->ring_head + VTGPU_CMD_SIZE) & (s->ring_size - 1);
    s->stat_commands++;
    s->stat_bytes += vtgpu_cmd_size(&s->cmd);
    s->cmd_active = false;
}

/*
 * Read and check the command at RING_HEAD.  A NOP or FENCE completes at
 * once; a COPY or FILL becomes the command in progress.  Halts the engine
 * on an error.
 */
static void vtgpu_engine_fetch(VTGPUState *s)
{
    uint8_t raw[VTGPU_CMD_SIZE];
    uint64_t fault = 0;
    uint32_t err;

    s->delay_done = false;
    if (!vtgpu_ring_ok(s)) {
        vtgpu_engine_halt(s, VTGPU_ERR_BAD_RING, 0);
        return;
    }
    err = vtgpu_guest_read(s, s->ring_base + s->ring_head, raw, sizeof(raw),
                           &fault);
    if (err) {
        vtgpu_engine_halt(s, err, fault);
        return;
    }
    s->cmd.opcode = ldl_le_p(raw);
    s->cmd.flags = ldl_le_p(raw + 4);
    s->cmd.arg0 = ldq_le_p(raw + 8);
    s->cmd.arg1 = ldq_le_p(raw + 16);
    s->cmd.arg2 = ldq_le_p(raw + 24);
    s->cmd_done = 0;
    trace_vtgpu_cmd(s->ring_head, s->cmd.opcode, s->cmd.flags,
                    s->cmd.arg0, s->cmd.arg1, s->cmd.arg2);

    if (s->inject == VTGPU_INJECT_FAIL_NEXT) {
        s->inject = VTGPU_INJECT_NONE;
        vtgpu_engine_halt(s, VTGPU_ERR_INJECTED, 0);
        return;
    }
    err = vtgpu_cmd_check(s, &s->cmd, &fault);
    if (!err && s->cmd.opcode == VTGPU_OP_FENCE) {
        err = vtgpu_cmd_fence(s, &s->cmd, &fault);
    }
    if (err) {
        vtgpu_engine_halt(s, err, fault);
        return;
    }
    if (vtgpu_cmd_size(&s->cmd)) {
        s->cmd_active = true;
    } else {
        vtgpu_engine_complete(s);
    }
}

/*
 * Run the next chunk of the command in progress, of at most len bytes.
 * Returns the bytes it moved.
 */
static uint64_t vtgpu_engine_chunk(VTGPUState *s, uint64_t len)
{
    uint64_t size = vtgpu_cmd_size(&s->cmd);
    uint64_t offset = s->cmd_done;
    uint64_t fault = 0;
    uint32_t err;

    if (vtgpu_cmd_backward(s, &s->cmd)) {
        offset = size - s->cmd_done - len;
    }
    trace_vtgpu_cmd_chunk(s->ring_head, offset, len);
    err = vtgpu_cmd_chunk(s, &s->cmd, offset, len, &fault);
    if (err) {
        vtgpu_engine_halt(s, err, fault);
        return 0;
    }
    s->cmd_done += len;
    if (s->cmd_done == size) {
        vtgpu_engine_complete(s);
    }
    return len;
}

/* Start the delay of the command at RING_HEAD */
static void vtgpu_engine_start_delay(VTGPUState *s)
{
    trace_vtgpu_cmd_delay(s->ring_head, s->engine_delay_us);
    timer_mod(&s->delay_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
              (int64_t)s->engine_delay_us * SCALE_US);
}

/*
 * Run the engine: until RING_HEAD reaches RING_TAIL, or the delay of the
 * next command starts, or a burst is over.  RING_TAIL is checked before
 * each command and each chunk.
 */
static void vtgpu_engine_run(VTGPUState *s)
{
    unsigned int commands = 0;
    uint64_t bytes = 0;

    while (vtgpu_engine_can_run(s) && s->vm_running) {
        if (s->cmd_active) {
            uint64_t len = MIN(vtgpu_cmd_size(&s->cmd) - s->cmd_done,
                               VTGPU_BURST_BYTES);

            if (s->ring_head == s->ring_tail) {
                /* the driver took the command back: abandon it */
                vtgpu_engine_stop(s);
                break;
            }
            if (bytes + len > VTGPU_BURST_BYTES) {
                qemu_bh_schedule(s->engine_bh);
                break;
            }
            bytes += vtgpu_engine_chunk(s, len);
            continue;
        }
        if (s->ring_head == s->ring_tail) {
            s->running = false;
            s->delay_done = false;
            timer_del(&s->delay_timer);
            break;
        }
        if (commands == VTGPU_BURST_COMMANDS) {
            qemu_bh_schedule(s->engine_bh);
            break;
        }
        if (timer_pending(&s->delay_timer)) {
            /* the delay in flight ends with vtgpu_delay_timer() */
            break;
        }
        if (s->engine_delay_us && !s->delay_done) {
            vtgpu_engine_start_delay(s);
            break;
        }
        vtgpu_engine_fetch(s);
        commands++;
    }
    s->stat_max_burst = MAX(s->stat_max_burst, bytes);
}

static void vtgpu_engine_bh(void *opaque)
{
    vtgpu_engine_run(opaque);
}

/*
 * Let the engine run, if it may: from the main loop, or at once the delay
 * of its next command.
 */
static void vtgpu_engine_kick(VTGPUState *s)
{
    if (!vtgpu_engine_can_run(s) || !s->vm_running ||
        timer_pending(&s->delay_timer)) {
        return;
    }
    if (s->engine_delay_us && !s->cmd_active && !s->delay_done &&
        s->ring_head != s->ring_tail) {
        vtgpu_engine_start_delay(s);
    } else {
        qemu_bh_schedule(s->engine_bh);
    }
}

/*
 * The delay of the command at RING_HEAD is over: run it now, so that the
 * delay of the next command starts when it completes.
 */
static void vtgpu_delay_timer(void *opaque)
{
    VTGPUState *s = opaque;

    s->delay_done = true;
    vtgpu_engine_run(s);
}

/* The engine stops with the VM and resumes with it */
static void vtgpu_vm_state_change(void *opaque, bool running,
                                  RunState state)
{
    VTGPUState *s = opaque;

    s->vm_running = running;
    if (running) {
        vtgpu_engine_kick(s);
    } else {
        qemu_bh_cancel(s->engine_bh);
    }
}

static void vtgpu_doorbell(VTGPUState *s)
{
    trace_vtgpu_doorbell(s->ring_head, s->ring_tail);

    if (!s->ring_size || s->halted) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: doorbell ignored: %s\n",
                      __func__, s->halted ? "engine halted" :
                      "ring disabled");
        return;
    }
    if (!vtgpu_ring_ok(s)) {
        vtgpu_engine_halt(s, VTGPU_ERR_BAD_RING, 0);
        return;
    }
    if (s->ring_head == s->ring_tail) {
        return;
    }
    s->running = true;
    vtgpu_engine_kick(s);
}

static void vtgpu_engine_reset(VTGPUState *s)
{
    trace_vtgpu_engine_reset(s->ring_head);

    vtgpu_engine_stop(s);
    s->inject = VTGPU_INJECT_NONE;
    s->halted = false;
    s->error_code = VTGPU_ERR_NONE;
    s->error_head = 0;
    s->error_addr = 0;
    s->ring_head = 0;
    s->ring_tail = 0;
    vtgpu_set_int_status(s, s->int_status & ~VTGPU_INT_ERROR);
}

static void vtgpu_write_inject(VTGPUState *s, uint32_t val)
{
    if (s->inject == VTGPU_INJECT_HANG) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: engine hung, INJECT write "
                      "ignored until ENGINE_RESET\n", __func__);
        return;
    }

    switch (val) {
    case VTGPU_INJECT_NONE:
    case VTGPU_INJECT_FAIL_NEXT:
        s->inject = val;
        break;
    case VTGPU_INJECT_HANG:
        s->inject = val;
        /* a delayed command in flight does not complete either */
        timer_del(&s->delay_timer);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: unknown injection %" PRIu32
                      " ignored\n", __func__, val);
        return;
    }
    trace_vtgpu_inject(val);
}

static uint32_t vtgpu_engine_status(VTGPUState *s)
{
    uint32_t status = 0;

    if (s->running || s->inject == VTGPU_INJECT_HANG) {
        status |= VTGPU_STATUS_BUSY;
    }
    if (s->halted) {
        status |= VTGPU_STATUS_HALTED;
    }
    if (s->inject == VTGPU_INJECT_HANG) {
        status |= VTGPU_STATUS_HUNG;
    }
    return status;
}

/*
 * The VRAM dword at MM_INDEX, for MM_DATA; NULL (and a guest error) when
 * MM_INDEX is past the end of VRAM.
 */
static uint8_t *vtgpu_mm_data(VTGPUState *s)
{
    if (s->mm_index >= s->vram_size) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: MM_INDEX 0x%" PRIx64 " is past the end of VRAM\n",
                      __func__, s->mm_index);
        return NULL;
    }
    return (uint8_t *)memory_region_get_ram_ptr(&s->vram) + s->mm_index;
}

/*
 * MMIO
 */
static uint64_t vtgpu_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    VTGPUState *s = opaque;
    uint64_t val;

    switch (addr) {
    case VTGPU_REG_ID:
        val = VTGPU_ID;
        break;
    case VTGPU_REG_VERSION:
        val = VTGPU_VERSION;
        break;
    case VTGPU_REG_CAPS:
        val = VTGPU_CAPS;
        break;
    case VTGPU_REG_VRAM_SIZE_LO:
        val = extract64(s->vram_size, 0, 32);
        break;
    case VTGPU_REG_VRAM_SIZE_HI:
        val = extract64(s->vram_size, 32, 32);
        break;
    case VTGPU_REG_VISIBLE_SIZE_LO:
        val = extract64(s->visible_vram_size, 0, 32);
        break;
    case VTGPU_REG_VISIBLE_SIZE_HI:
        val = extract64(s->visible_vram_size, 32, 32);
        break;
    case VTGPU_REG_GART_SIZE_LO:
        val = extract64(s->gart_size, 0, 32);
        break;
    case VTGPU_REG_GART_SIZE_HI:
        val = extract64(s->gart_size, 32, 32);
        break;
    case VTGPU_REG_GART_BASE_LO:
        val = extract64(VTGPU_GART_BASE, 0, 32);
        break;
    case VTGPU_REG_GART_BASE_HI:
        val = extract64(VTGPU_GART_BASE, 32, 32);
        break;
    case VTGPU_REG_GART_TABLE_LO:
        val = extract64(s->gart_table, 0, 32);
        break;
    case VTGPU_REG_GART_TABLE_HI:
        val = extract64(s->gart_table, 32, 32);
        break;
    case VTGPU_REG_RING_BASE_LO:
        val = extract64(s->ring_base, 0, 32);
        break;
    case VTGPU_REG_RING_BASE_HI:
        val = extract64(s->ring_base, 32, 32);
        break;
    case VTGPU_REG_RING_SIZE:
        val = s->ring_size;
        break;
    case VTGPU_REG_RING_HEAD:
        val = s->ring_head;
        break;
    case VTGPU_REG_RING_TAIL:
        val = s->ring_tail;
        break;
    case VTGPU_REG_ENGINE_STATUS:
        val = vtgpu_engine_status(s);
        break;
    case VTGPU_REG_FENCE_SEQNO_LO:
        val = extract64(s->fence_seqno, 0, 32);
        break;
    case VTGPU_REG_FENCE_SEQNO_HI:
        val = extract64(s->fence_seqno, 32, 32);
        break;
    case VTGPU_REG_FENCE_WB_LO:
        val = extract64(s->fence_wb, 0, 32);
        break;
    case VTGPU_REG_FENCE_WB_HI:
        val = extract64(s->fence_wb, 32, 32);
        break;
    case VTGPU_REG_INT_STATUS:
        val = s->int_status;
        break;
    case VTGPU_REG_INT_MASK:
        val = s->int_mask;
        break;
    case VTGPU_REG_ERROR_CODE:
        val = s->error_code;
        break;
    case VTGPU_REG_ERROR_HEAD:
        val = s->error_head;
        break;
    case VTGPU_REG_ERROR_ADDR_LO:
        val = extract64(s->error_addr, 0, 32);
        break;
    case VTGPU_REG_ERROR_ADDR_HI:
        val = extract64(s->error_addr, 32, 32);
        break;
    case VTGPU_REG_INJECT:
        val = s->inject;
        break;
    case VTGPU_REG_ENGINE_DELAY_US:
        val = s->engine_delay_us;
        break;
    case VTGPU_REG_STAT_COMMANDS_LO:
        val = extract64(s->stat_commands, 0, 32);
        break;
    case VTGPU_REG_STAT_COMMANDS_HI:
        val = extract64(s->stat_commands, 32, 32);
        break;
    case VTGPU_REG_STAT_BYTES_LO:
        val = extract64(s->stat_bytes, 0, 32);
        break;
    case VTGPU_REG_STAT_BYTES_HI:
        val = extract64(s->stat_bytes, 32, 32);
        break;
    case VTGPU_REG_STAT_MAX_BURST_LO:
        val = extract64(s->stat_max_burst, 0, 32);
        break;
    case VTGPU_REG_STAT_MAX_BURST_HI:
        val = extract64(s->stat_max_burst, 32, 32);
        break;
    case VTGPU_REG_MM_INDEX_LO:
        val = extract64(s->mm_index, 0, 32);
        break;
    case VTGPU_REG_MM_INDEX_HI:
        val = extract64(s->mm_index, 32, 32);
        break;
    case VTGPU_REG_MM_DATA: {
        uint8_t *p = vtgpu_mm_data(s);

        val = p ? ldl_le_p(p) : 0;
        break;
    }
    case VTGPU_REG_DOORBELL:
    case VTGPU_REG_ENGINE_RESET:
    case VTGPU_REG_INT_ACK:
        /* write-only */
        val = 0;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read from unknown register 0x%03" HWADDR_PRIx "\n",
                      __func__, addr);
        val = 0;
        break;
    }

    trace_vtgpu_mmio_read(addr, val);
    return val;
}

static void vtgpu_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    VTGPUState *s = opaque;

    trace_vtgpu_mmio_write(addr, val);

    switch (addr) {
    case VTGPU_REG_GART_TABLE_LO:
        s->gart_table = deposit64(s->gart_table, 0, 32,
                                  val & ~(VTGPU_PAGE_SIZE - 1));
        break;
    case VTGPU_REG_GART_TABLE_HI:
        s->gart_table = deposit64(s->gart_table, 32, 32, val);
        break;
    case VTGPU_REG_RING_BASE_LO:
        s->ring_base = deposit64(s->ring_base, 0, 32,
                                 val & ~(VTGPU_PAGE_SIZE - 1));
        break;
    case VTGPU_REG_RING_BASE_HI:
        s->ring_base = deposit64(s->ring_base, 32, 32, val);
        break;
    case VTGPU_REG_RING_SIZE:
        vtgpu_engine_stop(s);
        s->ring_size = val;
        s->ring_head = 0;
        s->ring_tail = 0;
        break;
    case VTGPU_REG_RING_TAIL:
        s->ring_tail = val;
        break;
    case VTGPU_REG_DOORBELL:
        vtgpu_doorbell(s);
        break;
    case VTGPU_REG_ENGINE_RESET:
        if (val & 1) {
            vtgpu_engine_reset(s);
        }
        break;
    case VTGPU_REG_FENCE_WB_LO:
        s->fence_wb = deposit64(s->fence_wb, 0, 32, val & ~7ULL);
        break;
    case VTGPU_REG_FENCE_WB_HI:
        s->fence_wb = deposit64(s->fence_wb, 32, 32, val);
        break;
    case VTGPU_REG_INT_MASK:
        vtgpu_set_int_mask(s, val);
        break;
    case VTGPU_REG_INT_ACK:
        vtgpu_set_int_status(s, s->int_status & ~val);
        break;
    case VTGPU_REG_INJECT:
        vtgpu_write_inject(s, val);
        break;
    case VTGPU_REG_ENGINE_DELAY_US:
        s->engine_delay_us = MIN(val, VTGPU_DELAY_US_MAX);
        break;
    case VTGPU_REG_MM_INDEX_LO:
        s->mm_index = deposit64(s->mm_index, 0, 32, val & ~3ULL);
        break;
    case VTGPU_REG_MM_INDEX_HI:
        s->mm_index = deposit64(s->mm_index, 32, 32, val);
        break;
    case VTGPU_REG_MM_DATA: {
        uint8_t *p = vtgpu_mm_data(s);

        if (p) {
            stl_le_p(p, val);
            memory_region_set_dirty(&s->vram, s->mm_index, 4);
        }
        break;
    }
    case VTGPU_REG_ID:
    case VTGPU_REG_VERSION:
    case VTGPU_REG_CAPS:
    case VTGPU_REG_VRAM_SIZE_LO:
    case VTGPU_REG_VRAM_SIZE_HI:
    case VTGPU_REG_VISIBLE_SIZE_LO:
    case VTGPU_REG_VISIBLE_SIZE_HI:
    case VTGPU_REG_GART_SIZE_LO:
    case VTGPU_REG_GART_SIZE_HI:
    case VTGPU_REG_GART_BASE_LO:
    case VTGPU_REG_GART_BASE_HI:
    case VTGPU_REG_RING_HEAD:
    case VTGPU_REG_ENGINE_STATUS:
    case VTGPU_REG_FENCE_SEQNO_LO:
    case VTGPU_REG_FENCE_SEQNO_HI:
    case VTGPU_REG_INT_STATUS:
    case VTGPU_REG_ERROR_CODE:
    case VTGPU_REG_ERROR_HEAD:
    case VTGPU_REG_ERROR_ADDR_LO:
    case VTGPU_REG_ERROR_ADDR_HI:
    case VTGPU_REG_STAT_COMMANDS_LO:
    case VTGPU_REG_STAT_COMMANDS_HI:
    case VTGPU_REG_STAT_BYTES_LO:
    case VTGPU_REG_STAT_BYTES_HI:
    case VTGPU_REG_STAT_MAX_BURST_LO:
    case VTGPU_REG_STAT_MAX_BURST_HI:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to read-only register 0x%03" HWADDR_PRIx
                      " ignored\n", __func__, addr);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: write to unknown register 0x%03" HWADDR_PRIx
                      " ignored\n", __func__, addr);
        break;
    }
}

static const MemoryRegionOps vtgpu_mmio_ops = {
    .read = vtgpu_mmio_read,
    .write = vtgpu_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static void vtgpu_realize(PCIDevice *pdev, Error **errp)
{
    ERRP_GUARD();
    VTGPUState *s = VTGPU(pdev);

    if (!vtgpu_check_properties(s, errp)) {
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (msi_init(pdev, 0, 1, true, false, errp)) {
        return;
    }

    memory_region_init_io(&s->mmio, OBJECT(s), &vtgpu_mmio_ops, s,
                          "vtgpu.mmio", VTGPU_MMIO_SIZE);
    pci_register_bar(pdev, VTGPU_BAR_MMIO, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);

    /*
     * All of VRAM is one RAM block, migrated as such.  Only its first
     * visible_vram_size bytes are CPU-visible through BAR2.
     */
    memory_region_init_ram(&s->vram, OBJECT(s), "vtgpu.vram", s->vram_size,
                           errp);
    if (*errp) {
        msi_uninit(pdev);
        return;
    }
    memory_region_init_alias(&s->vram_bar, OBJECT(s), "vtgpu.vram-bar",
                             &s->vram, 0, s->visible_vram_size);
    pci_register_bar(pdev, VTGPU_BAR_VRAM,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->vram_bar);

    s->engine_bh = qemu_bh_new_guarded(vtgpu_engine_bh, s,
                                       &DEVICE(s)->mem_reentrancy_guard);
    timer_init_ns(&s->delay_timer, QEMU_CLOCK_VIRTUAL, vtgpu_delay_timer, s);
    s->vmstate_change = qdev_add_vm_change_state_handler(DEVICE(s),
                                                         vtgpu_vm_state_change,
                                                         NULL, s);
    /* a device plugged into a running VM is not told that it runs */
    s->vm_running = runstate_is_running();
    s->engine_delay_us = s->engine_delay_us_prop;
}

static void vtgpu_exit(PCIDevice *pdev)
{
    VTGPUState *s = VTGPU(pdev);

    qemu_del_vm_change_state_handler(s->vmstate_change);
    qemu_bh_delete(s->engine_bh);
    timer_del(&s->delay_timer);
    msi_uninit(pdev);
    /* let a device added later register its VRAM under the same name */
    vmstate_unregister_ram(&s->vram, DEVICE(s));
}

static void vtgpu_reset_hold(Object *obj, ResetType type)
{
    VTGPUState *s = VTGPU(obj);

    vtgpu_engine_stop(s);
    s->gart_table = 0;
    s->ring_base = 0;
    s->ring_size = 0;
    s->ring_head = 0;
    s->ring_tail = 0;
    s->fence_seqno = 0;
    s->fence_wb = 0;
    s->int_mask = 0;
    s->error_code = VTGPU_ERR_NONE;
    s->error_head = 0;
    s->error_addr = 0;
    s->inject = VTGPU_INJECT_NONE;
    s->engine_delay_us = s->engine_delay_us_prop;
    s->stat_commands = 0;
    s->stat_bytes = 0;
    s->stat_max_burst = 0;
    s->mm_index = 0;
    s->halted = false;
    vtgpu_set_int_status(s, 0);
}

static const Property vtgpu_properties[] = {
    DEFINE_PROP_SIZE("vram-size", VTGPUState, vram_size, 256 * MiB),
    DEFINE_PROP_SIZE("visible-vram-size", VTGPUState, visible_vram_size,
                     64 * MiB),
    DEFINE_PROP_SIZE("gart-size", VTGPUState, gart_size, 512 * MiB),
    DEFINE_PROP_UINT32("engine-delay-us", VTGPUState, engine_delay_us_prop,
                       0),
};

/* A new state to load into: nothing in flight, the subsections' defaults */
static int vtgpu_pre_load(void *opaque)
{
    VTGPUState *s = opaque;

    s->cmd_active = false;
    s->delay_done = false;
    s->stat_max_burst = 0;
    s->mm_index = 0;
    return 0;
}

static bool vtgpu_post_load(void *opaque, int version_id, Error **errp)
{
    VTGPUState *s = opaque;
    bool ring_size_ok = vtgpu_ring_size_ok(s->ring_size);
    uint64_t fault;

    /* Everything the MMIO writes or the engine could have set, no more */
    if (!QEMU_IS_ALIGNED(s->gart_table, VTGPU_PAGE_SIZE)) {
        error_setg(errp, "unaligned GART_TABLE 0x%" PRIx64, s->gart_table);
        return false;
    }
    if (!QEMU_IS_ALIGNED(s->ring_base, VTGPU_PAGE_SIZE)) {
        error_setg(errp, "unaligned RING_BASE 0x%" PRIx64, s->ring_base);
        return false;
    }
    if (!QEMU_IS_ALIGNED(s->fence_wb, 8)) {
        error_setg(errp, "unaligned FENCE_WB 0x%" PRIx64, s->fence_wb);
        return false;
    }
    if (!QEMU_IS_ALIGNED(s->mm_index, 4)) {
        error_setg(errp, "unaligned MM_INDEX 0x%" PRIx64, s->mm_index);
        return false;
    }
    /* RING_HEAD is the engine's: 0 until there is a valid ring */
    if (ring_size_ok) {
        if (!QEMU_IS_ALIGNED(s->ring_head, VTGPU_CMD_SIZE) ||
            s->ring_head >= s->ring_size) {
            error_setg(errp, "RING_HEAD 0x%" PRIx32 " outside RING_SIZE 0x%"
                       PRIx32, s->ring_head, s->ring_size);
            return false;
        }
    } else if (s->ring_head) {
        error_setg(errp, "RING_HEAD 0x%" PRIx32 " without a valid ring",
                   s->ring_head);
        return false;
    }
    if (s->inject > VTGPU_INJECT_HANG) {
        error_setg(errp, "invalid INJECT %" PRIu32, s->inject);
        return false;
    }
    if (s->engine_delay_us > VTGPU_DELAY_US_MAX) {
        error_setg(errp, "ENGINE_DELAY_US %" PRIu32 " above %u",
                   s->engine_delay_us, VTGPU_DELAY_US_MAX);
        return false;
    }
    if ((s->int_status | s->int_mask) & ~VTGPU_INT_ALL) {
        error_setg(errp, "invalid INT_STATUS 0x%" PRIx32 " or INT_MASK 0x%"
                   PRIx32, s->int_status, s->int_mask);
        return false;
    }
    if (s->error_code > VTGPU_ERR_BAD_RING) {
        error_setg(errp, "invalid ERROR_CODE %" PRIu32, s->error_code);
        return false;
    }
    if (s->halted && (s->running || s->cmd_active)) {
        error_setg(errp, "a halted engine cannot be running");
        return false;
    }
    /*
     * A command in progress: one that passed its checks, chunks of it
     * done, on a ring whose size fits RING_HEAD (RING_TAIL and RING_BASE
     * may have changed since; the next fetch checks them).
     */
    if (s->cmd_active &&
        (!s->running || !ring_size_ok ||
         vtgpu_cmd_check(s, &s->cmd, &fault) != VTGPU_ERR_NONE ||
         s->cmd_done >= vtgpu_cmd_size(&s->cmd) ||
         !QEMU_IS_ALIGNED(s->cmd_done, VTGPU_BURST_BYTES))) {
        error_setg(errp, "invalid command in progress: opcode %" PRIu32
                   ", %" PRIu64 " bytes done", s->cmd.opcode, s->cmd_done);
        return false;
    }
    /* The engine resumes when the VM runs (vtgpu_vm_state_change) */
    return true;
}

/* A command in progress, or one whose delay is over */
static bool vtgpu_cmd_needed(void *opaque)
{
    VTGPUState *s = opaque;

    return s->cmd_active || s->delay_done;
}

static const VMStateDescription vmstate_vtgpu_cmd = {
    .name = TYPE_VTGPU "/cmd",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = vtgpu_cmd_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(cmd_active, VTGPUState),
        VMSTATE_BOOL(delay_done, VTGPUState),
        VMSTATE_UINT32(cmd.opcode, VTGPUState),
        VMSTATE_UINT32(cmd.flags, VTGPUState),
        VMSTATE_UINT64(cmd.arg0, VTGPUState),
        VMSTATE_UINT64(cmd.arg1, VTGPUState),
        VMSTATE_UINT64(cmd.arg2, VTGPUState),
        VMSTATE_UINT64(cmd_done, VTGPUState),
        VMSTATE_END_OF_LIST()
    },
};

static bool vtgpu_max_burst_needed(void *opaque)
{
    VTGPUState *s = opaque;

    return s->stat_max_burst != 0;
}

static const VMStateDescription vmstate_vtgpu_max_burst = {
    .name = TYPE_VTGPU "/stat-max-burst",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = vtgpu_max_burst_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(stat_max_burst, VTGPUState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_vtgpu_mm_index = {
    .name = TYPE_VTGPU "/mm-index",
    .version_id = 1,
    .minimum_version_id = 1,
    /* Always sent: a destination without the window must refuse. */
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(mm_index, VTGPUState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_vtgpu = {
    .name = TYPE_VTGPU,
    .version_id = 2,
    .minimum_version_id = 2,
    .pre_load = vtgpu_pre_load,
    .post_load_errp = vtgpu_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, VTGPUState),
        VMSTATE_UINT64_EQUAL(vram_size, VTGPUState, NULL),
        VMSTATE_UINT64_EQUAL(visible_vram_size, VTGPUState, NULL),
        VMSTATE_UINT64_EQUAL(gart_size, VTGPUState, NULL),
        VMSTATE_UINT64(gart_table, VTGPUState),
        VMSTATE_UINT64(ring_base, VTGPUState),
        VMSTATE_UINT32(ring_size, VTGPUState),
        VMSTATE_UINT32(ring_head, VTGPUState),
        VMSTATE_UINT32(ring_tail, VTGPUState),
        VMSTATE_UINT64(fence_seqno, VTGPUState),
        VMSTATE_UINT64(fence_wb, VTGPUState),
        VMSTATE_UINT32(int_status, VTGPUState),
        VMSTATE_UINT32(int_mask, VTGPUState),
        VMSTATE_UINT32(error_code, VTGPUState),
        VMSTATE_UINT32(error_head, VTGPUState),
        VMSTATE_UINT64(error_addr, VTGPUState),
        VMSTATE_UINT32(inject, VTGPUState),
        VMSTATE_UINT32(engine_delay_us, VTGPUState),
        VMSTATE_UINT64(stat_commands, VTGPUState),
        VMSTATE_UINT64(stat_bytes, VTGPUState),
        VMSTATE_BOOL(running, VTGPUState),
        VMSTATE_BOOL(halted, VTGPUState),
        VMSTATE_TIMER(delay_timer, VTGPUState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_vtgpu_cmd,
        &vmstate_vtgpu_max_burst,
        &vmstate_vtgpu_mm_index,
        NULL
    },
};

static void vtgpu_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = vtgpu_realize;
    k->exit = vtgpu_exit;
    k->config_write = vtgpu_write_config;
    k->vendor_id = VTGPU_PCI_VENDOR_ID;
    k->device_id = VTGPU_PCI_DEVICE_ID;
    k->revision = VTGPU_PCI_REVISION;
    k->class_id = PCI_CLASS_DISPLAY_OTHER;

    dc->desc = "vtgpu virtual GPU";
    rc->phases.hold = vtgpu_reset_hold;
    dc->vmsd = &vmstate_vtgpu;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, vtgpu_properties);
    object_class_property_set_description(klass, "vram-size",
        "Total VRAM size: a multiple of 1 MiB, at most 16 GiB");
    object_class_property_set_description(klass, "visible-vram-size",
        "Size of the CPU-visible VRAM window (BAR2): a power of two, "
        "at least 1 MiB, at most vram-size");
    object_class_property_set_description(klass, "gart-size",
        "Size of the GART aperture: a power of two from 1 MiB to 4 GiB");
    object_class_property_set_description(klass, "engine-delay-us",
        "Reset value of ENGINE_DELAY_US: microseconds the engine waits "
        "before completing each command, at most 10000000");
}

static const TypeInfo vtgpu_info = {
    .name = TYPE_VTGPU,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VTGPUState),
    .class_init = vtgpu_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void vtgpu_register_types(void)
{
    type_register_static(&vtgpu_info);
}

type_init(vtgpu_register_types)
