#pragma once
#include "core/compat.h"
#include <sys/types.h>

/*
 * Starts argv[0] (looked up in PATH) in a process group of its own, with default signal
 * handling whatever the server blocks or ignores, stdin and stdout on /dev/null, stderr on
 * err_fd (or /dev/null when it is -1), and no other descriptor inherited. The child gets
 * SIGKILL when the calling thread ends (PR_SET_PDEATHSIG), so no child outlives a server
 * killed with SIGKILL; callers are threads that live as long as their children. The caller
 * reaps the child. Returns 0 or -errno (a failed exec too).
 */
int process_spawn(char *const argv[], int err_fd, pid_t *pid) WUR;

/* Kills (SIGKILL) every other process with an argument holding needle: what a server that
 * was killed before children died with it (an older one) left running. Returns how many,
 * or -errno when /proc cannot be read. */
int process_sweep(const char *needle);
