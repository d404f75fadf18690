    {
        /* small VRAM and GART: each command moves at most 16 MiB */
        .name = "vtgpu",
        .args = "-machine q35 -nodefaults "
        "-device vtgpu,vram_size=16M,visible_vram_size=8M,gart_size=1M",
        .objects = "vtgpu*",
    },
