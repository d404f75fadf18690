// SPDX-License-Identifier: MIT
/*
 * Copyright 2026 The vtgpu authors
 */

/*
 * QMP from inside a QEMU guest, for tests that ask QEMU to unplug or plug
 * their device: the guest reaches a QMP monitor through the virtio-serial
 * port IGT_QMP_PORT (ci/run-guest.sh sets one up).
 *
 * The monitor outlives the test: a previous test may have left events or
 * replies unread, and negotiated the capabilities already. So opening
 * drains what is pending, commands carry an id unique to the process and
 * only the reply with that id counts, and events read while waiting for a
 * reply are kept for igt_qmp_wait_event(). QMP sends one JSON object per
 * line; the few keys these tests need are found by string matching.
 *
 * Nothing here asserts, so that exit handlers can use it too.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_qmp.h"

#define QMP_LINE_MAX	65536
#define QMP_MAX_EVENTS	64
#define QMP_REPLY_MS	30000

struct igt_qmp {
	int fd;
	char buf[QMP_LINE_MAX];
	size_t len;
	char *events[QMP_MAX_EVENTS];
	unsigned int num_events;
	unsigned int next_id;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/* The port's device node: udev's link, or the vportNpM sysfs names. */
static int open_port(void)
{
	char path[PATH_MAX], name[64];
	struct dirent *de;
	DIR *dir;
	int fd;

	fd = open("/dev/virtio-ports/" IGT_QMP_PORT,
		  O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd;

	dir = opendir("/sys/class/virtio-ports");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		FILE *f;
		bool match;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		match = fgets(name, sizeof(name), f) &&
			!strcmp(strtok(name, "\n") ?: "", IGT_QMP_PORT);
		fclose(f);
		if (match) {
			snprintf(path, sizeof(path), "/dev/%s", de->d_name);
			fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
			break;
		}
	}
	closedir(dir);
	return fd;
}

/*
 * Where the value of the top-level or nested @key starts in a JSON
 * object, or NULL: good enough for QMP's replies and events, whose string
 * values do not hold quoted key names.
 */
static const char *json_value(const char *json, const char *key)
{
	size_t len = strlen(key);
	const char *p = json;

	while ((p = strchr(p, '"'))) {
		const char *v = p + 1 + len;

		if (!strncmp(p + 1, key, len) && *v == '"') {
			v++;
			while (*v == ' ')
				v++;
			if (*v == ':') {
				v++;
				while (*v == ' ')
					v++;
				return v;
			}
		}
		p++;
	}
	return NULL;
}

static bool json_string_is(const char *json, const char *key,
			   const char *value)
{
	const char *v = json_value(json, key);
	size_t len = strlen(value);

	return v && *v == '"' && !strncmp(v + 1, value, len) &&
	       v[1 + len] == '"';
}

/* Copy the string value of @key into @out, or "" if there is none. */
static void json_string_copy(const char *json, const char *key, char *out,
			     size_t len)
{
	const char *v = json_value(json, key);
	size_t n = 0;

	if (v && *v == '"')
		for (v++; *v && *v != '"' && n + 1 < len; v++)
			out[n++] = *v == '\\' && v[1] ? *++v : *v;
	if (len)
		out[n] = '\0';
}

/*
 * The next line from the monitor, without its line end, to be freed; NULL
 * when none came within @timeout_ms.
 */
static char *read_line(struct igt_qmp *qmp, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(qmp->buf, '\n', qmp->len);
		struct pollfd pfd = { .fd = qmp->fd, .events = POLLIN };
		int64_t left;
		ssize_t ret;

		if (nl) {
			size_t n = nl - qmp->buf;
			char *line = strndup(qmp->buf, n);

			memmove(qmp->buf, nl + 1, qmp->len - n - 1);
			qmp->len -= n + 1;
			if (line && n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			return line;
		}
		if (qmp->len == sizeof(qmp->buf)) {
			igt_warn("QMP: line longer than %zu bytes dropped\n",
				 sizeof(qmp->buf));
			qmp->len = 0;
		}

		left = deadline - now_ms();
		if (left <= 0)
			return NULL;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return NULL;
		ret = read(qmp->fd, qmp->buf + qmp->len,
			   sizeof(qmp->buf) - qmp->len);
		if (ret > 0)
			qmp->len += ret;
		else if (ret == 0 || (errno != EAGAIN && errno != EINTR))
			/* The host end is not connected (yet): poll again. */
			usleep(10 * 1000);
	}
}

static void keep_event(struct igt_qmp *qmp, char *line)
{
	if (qmp->num_events == QMP_MAX_EVENTS) {
		free(qmp->events[0]);
		memmove(qmp->events, qmp->events + 1,
			(QMP_MAX_EVENTS - 1) * sizeof(qmp->events[0]));
		qmp->num_events--;
	}
	igt_debug("QMP event: %s\n", line);
	qmp->events[qmp->num_events++] = line;
}

static bool write_all(int fd, const char *buf, size_t len, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t ret = write(fd, buf, len);

		if (ret > 0) {
			buf += ret;
			len -= ret;
			continue;
		}
		if (ret < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		if (now_ms() >= deadline)
			return false;
		poll(&pfd, 1, 100);
	}
	return true;
}

/**
 * igt_qmp_execute:
 * @qmp: the monitor
 * @command: a QMP command, e.g. "device_del"
 * @arguments: its arguments, a JSON object, or NULL for none
 * @reply: where to copy the reply line, or on error the error's
 *	description; may be NULL
 * @len: size of @reply
 *
 * Runs a command and waits (up to 30 s) for its reply, keeping the events
 * that come meanwhile.
 *
 * Returns: 0 on success, -EIO if QEMU answered with an error, -ETIMEDOUT
 * without an answer.
 */
int igt_qmp_execute(struct igt_qmp *qmp, const char *command,
		    const char *arguments, char *reply, size_t len)
{
	int64_t deadline = now_ms() + QMP_REPLY_MS;
	char id[48], *cmd, *line;
	int ret;

	snprintf(id, sizeof(id), "igt-%d-%u", getpid(), qmp->next_id++);
	ret = asprintf(&cmd, "{\"execute\": \"%s\"%s%s, \"id\": \"%s\"}\n",
		       command, arguments ? ", \"arguments\": " : "",
		       arguments ?: "", id);
	if (ret < 0)
		return -ENOMEM;
	igt_debug("QMP: %s", cmd);
	if (!write_all(qmp->fd, cmd, ret, QMP_REPLY_MS)) {
		free(cmd);
		return -EIO;
	}
	free(cmd);

	while ((line = read_line(qmp, deadline - now_ms()))) {
		if (json_value(line, "event")) {
			keep_event(qmp, line);
			continue;
		}
		if (!json_string_is(line, "id", id)) {
			igt_debug("QMP: ignored %s\n", line);
			free(line);
			continue;
		}
		igt_debug("QMP reply: %s\n", line);
		ret = json_value(line, "error") ? -EIO : 0;
		if (reply && ret)
			json_string_copy(line, "desc", reply, len);
		else if (reply)
			snprintf(reply, len, "%s", line);
		free(line);
		return ret;
	}
	return -ETIMEDOUT;
}

static bool event_matches(const char *line, const char *event,
			  const char *device)
{
	return json_string_is(line, "event", event) &&
	       (!device || json_string_is(line, "device", device));
}

/**
 * igt_qmp_wait_event:
 * @qmp: the monitor
 * @event: the event's name, e.g. "DEVICE_DELETED"
 * @device: the value its data's "device" must have, or NULL
 * @timeout_ms: how long to wait at most
 *
 * Waits for an event, or takes it from those kept since
 * igt_qmp_forget_events().
 *
 * Returns: whether it came.
 */
bool igt_qmp_wait_event(struct igt_qmp *qmp, const char *event,
			const char *device, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char *line;

	for (unsigned int i = 0; i < qmp->num_events; i++) {
		if (!event_matches(qmp->events[i], event, device))
			continue;
		free(qmp->events[i]);
		memmove(qmp->events + i, qmp->events + i + 1,
			(qmp->num_events - i - 1) * sizeof(qmp->events[0]));
		qmp->num_events--;
		return true;
	}

	while ((line = read_line(qmp, deadline - now_ms()))) {
		if (!json_value(line, "event")) {
			igt_debug("QMP: ignored %s\n", line);
			free(line);
			continue;
		}
		if (event_matches(line, event, device)) {
			igt_debug("QMP event: %s\n", line);
			free(line);
			return true;
		}
		keep_event(qmp, line);
	}
	return false;
}

/**
 * igt_qmp_forget_events:
 * @qmp: the monitor
 *
 * Drops the events kept so far, and those QEMU sent but the monitor's
 * reader has not seen yet: a later igt_qmp_wait_event() waits for a new
 * one.
 */
void igt_qmp_forget_events(struct igt_qmp *qmp)
{
	char *line;

	while ((line = read_line(qmp, 0))) {
		if (json_value(line, "event"))
			keep_event(qmp, line);
		else
			free(line);
	}
	for (unsigned int i = 0; i < qmp->num_events; i++)
		free(qmp->events[i]);
	qmp->num_events = 0;
}

/**
 * igt_qmp_open:
 *
 * Opens the QMP port, drops what earlier users left unread and leaves
 * capabilities negotiation (which a previous user may have done).
 *
 * Returns: the monitor, or NULL if there is no QMP port or no monitor
 * answers on it.
 */
struct igt_qmp *igt_qmp_open(void)
{
	struct igt_qmp *qmp;
	char err[256];
	char *line;
	int ret;

	qmp = calloc(1, sizeof(*qmp));
	if (!qmp)
		return NULL;
	qmp->fd = open_port();
	if (qmp->fd < 0) {
		igt_debug("no virtio-serial port %s: %m\n", IGT_QMP_PORT);
		free(qmp);
		return NULL;
	}

	/* The greeting, or stale output: the monitor may have more queued. */
	while ((line = read_line(qmp, 200)))
		free(line);

	ret = igt_qmp_execute(qmp, "qmp_capabilities", NULL, err, sizeof(err));
	if (ret == -EIO && strstr(err, "already complete"))
		ret = 0;
	if (ret) {
		igt_warn("QMP: qmp_capabilities failed: %d %s\n", ret,
			 ret == -EIO ? err : "");
		igt_qmp_close(qmp);
		return NULL;
	}
	return qmp;
}

/**
 * igt_qmp_close:
 * @qmp: the monitor, or NULL
 */
void igt_qmp_close(struct igt_qmp *qmp)
{
	if (!qmp)
		return;
	for (unsigned int i = 0; i < qmp->num_events; i++)
		free(qmp->events[i]);
	close(qmp->fd);
	free(qmp);
}
