/* SPDX-License-Identifier: MIT */
/*
 * Copyright 2026 The vtgpu authors
 */

#ifndef IGT_QMP_H
#define IGT_QMP_H

#include <stdbool.h>
#include <stddef.h>

/**
 * IGT_QMP_PORT:
 *
 * The name of the virtio-serial port through which a guest reaches a QMP
 * monitor of the QEMU it runs in (QEMU's guest agent convention names
 * ports org.qemu.*).
 */
#define IGT_QMP_PORT "org.qemu.qmp"

struct igt_qmp;

struct igt_qmp *igt_qmp_open(void);
void igt_qmp_close(struct igt_qmp *qmp);
int igt_qmp_execute(struct igt_qmp *qmp, const char *command,
		    const char *arguments, char *reply, size_t len);
bool igt_qmp_wait_event(struct igt_qmp *qmp, const char *event,
			const char *device, int timeout_ms);
void igt_qmp_forget_events(struct igt_qmp *qmp);

#endif /* IGT_QMP_H */
