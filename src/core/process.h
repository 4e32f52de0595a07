#pragma once
#include "core/compat.h"
#include <sys/types.h>

/*
 * Starts argv[0] (looked up in PATH) in a process group of its own, with default signal
 * handling whatever the server blocks or ignores, stdin and stdout on /dev/null, stderr on
 * err_fd (or /dev/null when it is -1), and no other descriptor inherited. The caller reaps
 * the child. Returns 0 or -errno.
 */
int process_spawn(char *const argv[], int err_fd, pid_t *pid) WUR;
