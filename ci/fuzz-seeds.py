#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the seed inputs of the vtgpu generic fuzzer (ci/fuzz-qemu.sh).

    fuzz-seeds.py OUTDIR

A seed is a generic-fuzz input (QEMU's tests/qtest/fuzz/generic_fuzz.c):
operations separated by "FUZZ", each an opcode byte and its operands. The
seeds program the device the way its driver does (ring, GART table, fence
write-back, interrupts, injection, delay) and give the DMA patterns that
the ring and GART table reads are filled from, so that the fuzzer starts
from inputs that reach the engine and mutates from there; without them it
spends its first hundred thousand runs finding a ring size.
"""

import os
import struct
import sys

SEP = b"FUZZ"

# generic_fuzz.c's operations (the opcode byte is taken modulo 10)
OP_WRITE = 3
OP_PCI_WRITE = 5
OP_ADD_DMA_PATTERN = 7
OP_CLOCK_STEP = 9
LONG = 2            # op_write's size: 32-bit

# include/hw/misc/vtgpu_regs.h
REG = {
    "GART_TABLE_LO": 0x040, "GART_TABLE_HI": 0x044,
    "RING_BASE_LO": 0x080, "RING_BASE_HI": 0x084, "RING_SIZE": 0x088,
    "RING_TAIL": 0x090, "DOORBELL": 0x094, "ENGINE_RESET": 0x09c,
    "FENCE_WB_LO": 0x0a8, "FENCE_WB_HI": 0x0ac,
    "INT_MASK": 0x0c4, "INT_ACK": 0x0c8,
    "INJECT": 0x100, "ENGINE_DELAY_US": 0x104,
}
OP_NOP, OP_COPY, OP_FILL, OP_FENCE = 0, 1, 2, 3
GART_BASE = 1 << 40
GART_RW = 3

# guest-physical addresses, inside the fuzzer's 512 MiB of RAM
RING = 0x00100000
TABLE = 0x00200000
FENCE_WB = 0x00300000
DATA = 0x00400000
# where the fuzzer's PCI setup (qpci_iomap) puts BAR2 of the device
VRAM_BAR = 0xe0800000


def write(reg, val):
    # struct { uint8_t size, base; (pad) uint32_t offset; uint64_t value; }
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", LONG, 0, REG[reg], val)


def pci_write(offset, val, size=1):
    # struct { uint8_t size, base, offset; (pad) uint32_t value; }
    return bytes([OP_PCI_WRITE]) + struct.pack("<BBBxI", size, 0, offset, val)


def pattern(data, index=0, stride=0):
    assert SEP not in data
    return bytes([OP_ADD_DMA_PATTERN, index, stride]) + data


def cmd(opcode, flags=0, arg0=0, arg1=0, arg2=0):
    return struct.pack("<IIQQQ", opcode, flags, arg0, arg1, arg2)


def clock_step():
    return bytes([OP_CLOCK_STEP])


def ring(size=0x1000):
    return [write("RING_BASE_LO", RING), write("RING_SIZE", size)]


def submit(ncmds):
    return [write("RING_TAIL", 32 * ncmds), write("DOORBELL", 1)]


def gart():
    # every entry maps the same writable page of RAM
    return [write("GART_TABLE_LO", TABLE),
            pattern(struct.pack("<Q", DATA | GART_RW))]


SEEDS = {
    "nop": ring() + submit(4),
    "fence-irq": ring() + [
        write("FENCE_WB_LO", FENCE_WB), write("INT_MASK", 3),
        pattern(cmd(OP_FENCE, 1, 0x1234), index=8, stride=1)] + submit(3) + [
        write("INT_ACK", 1)],
    # MSI: the capability at 0x40; a message to RAM
    "fence-msi": [
        pci_write(0x44, 0x00500000, size=2), pci_write(0x4c, 0x4321, size=1),
        pci_write(0x42, 1, size=1)] + ring() + [
        write("INT_MASK", 3),
        pattern(cmd(OP_FENCE, 1, 7))] + submit(2),
    "fill-vram": ring() + [
        pattern(cmd(OP_FILL, 0, 0x1000, 0x2000, 0xdeadbeef))] + submit(2),
    "copy-vram": ring() + [
        pattern(cmd(OP_COPY, 0, 0x0, 0x10000, 0x3000))] + submit(2),
    "fill-gart": ring() + gart()[:1] + [
        pattern(cmd(OP_FILL, 0, GART_BASE + 0x800, 0x2000, 0x55aa55aa)),
        pattern(struct.pack("<Q", DATA | GART_RW))] + submit(1),
    "copy-gart": ring() + gart()[:1] + [
        pattern(cmd(OP_COPY, 0, GART_BASE, 0x4000, 0x2004)),
        pattern(struct.pack("<Q", DATA | GART_RW))] + submit(1),
    "copy-gart-gart": ring() + gart()[:1] + [
        pattern(cmd(OP_COPY, 0, GART_BASE + 0x10, GART_BASE + 0x1008,
                    0x3000)),
        pattern(struct.pack("<Q", DATA | GART_RW), index=1, stride=0x10)] +
        submit(1),
    # GART pages on the device's own VRAM BAR, where the fuzzer maps BAR2
    "copy-gart-vram-bar": ring() + gart()[:1] + [
        pattern(cmd(OP_COPY, 0, 0x0, GART_BASE + 0x10, 0x100)),
        pattern(struct.pack("<Q", VRAM_BAR | GART_RW))] + submit(1),
    "bad-command": ring() + [
        pattern(cmd(0x7, 0, 1, 2, 3))] + submit(1) + [
        write("ENGINE_RESET", 1)] + ring() + submit(1),
    "inject": ring() + [
        write("INJECT", 1)] + submit(2) + [write("ENGINE_RESET", 1),
                                           write("INJECT", 2)] + submit(2) +
        [write("ENGINE_RESET", 1)],
    "delay": ring() + [
        write("ENGINE_DELAY_US", 100),
        pattern(cmd(OP_FENCE, 0, 5))] + submit(3) + [
        clock_step(), clock_step(), clock_step()],
    "wrap": ring() + submit(120) + [
        write("RING_TAIL", 0x20), write("DOORBELL", 1)],
}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fuzz-seeds.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, ops in SEEDS.items():
        data = SEP.join(ops)
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
