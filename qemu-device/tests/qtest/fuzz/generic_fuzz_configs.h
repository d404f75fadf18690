    {
        /* small VRAM and GART: each command moves at most 16 MiB */
        .name = "vtgpu",
        .args = "-machine q35 -nodefaults "
        "-device vtgpu,vram-size=16M,visible-vram-size=8M,gart-size=1M",
        .objects = "vtgpu*",
    },
